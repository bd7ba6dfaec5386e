import type { ReadCacheState } from '../domain/cluster-status';
import { CommitGenerations } from '../services/cache/commit-generations';
import { COMMIT_BEAT_MS, type CommitMessage } from './commit-publisher';

/** Silence from the leader longer than this turns the cache off (its publisher may be cut off). */
export const COMMIT_LEASE_MS = 6 * COMMIT_BEAT_MS;

export interface RemoteCommitsOptions {
  /**
   * With a read replica: the primary time up to which every commit is known to be replayed
   * there (ClusterMonitor). A scope whose last commit was heard after it is not cached.
   */
  replicaCurrentThroughMs: (() => number) | null;
  leaseMs?: number;
  now?: () => number;
}

/**
 * An API instance's commit generations, driven by the ingest leader's commit stream over Redis
 * instead of local writes. The cache is on only while this instance is sure it heard every
 * commit: the subscription is up, the stream is gap-free since the last reset, and the leader
 * was heard within the lease. Otherwise every read bypasses it (`busy`), and when the stream
 * comes back after a possible loss every cached answer is voided (a new era) first, so a missed
 * invalidation can only cost hits, never serve a stale answer.
 */
export class RemoteCommits {
  readonly generations: CommitGenerations;
  private readonly leaseMs: number;
  private readonly now: () => number;
  private writer: string | null = null;
  private seq = 0;
  private heardAtMs = Number.NEGATIVE_INFINITY;
  /** A reset is due before the next message counts: messages may have been missed. */
  private lossReason: string | null = 'waiting for the commit stream';
  private readonly marks = new Map<string, Set<string>>();
  /** When the last commit of each scope was heard (replica freshness). */
  private readonly heardEnd = new Map<string, number>();
  private resetAtMs = Number.NEGATIVE_INFINITY;
  private resetCount = 0;

  constructor(private readonly options: RemoteCommitsOptions) {
    this.leaseMs = options.leaseMs ?? COMMIT_LEASE_MS;
    this.now = options.now ?? Date.now;
    this.generations = new CommitGenerations((scope) => this.holds(scope));
  }

  /** The subscription broke (or never came up): what is published meanwhile is lost. */
  lost(): void {
    this.lossReason ??= 'redis subscription lost';
  }

  receive(raw: string): void {
    let message: CommitMessage;
    try {
      message = JSON.parse(raw) as CommitMessage;
    } catch {
      this.lossReason ??= 'unreadable commit message';
      return;
    }
    const continues = message.w === this.writer && message.s === this.seq + 1;
    if (this.lossReason !== null || !continues) this.reset();
    this.writer = message.w;
    this.seq = message.s;
    this.heardAtMs = this.now();
    if (message.k === 'begin') {
      this.marks.set(`${message.w}#${message.i}`, this.generations.begin(message.y));
    } else if (message.k === 'end') {
      const key = `${message.w}#${message.i}`;
      // An end whose begin came before a reset (or was missed): still a commit of these scopes.
      const scopes = this.marks.get(key) ?? this.generations.begin(message.y);
      this.marks.delete(key);
      this.generations.end(scopes);
      for (const scope of scopes) this.heardEnd.set(scope, this.heardAtMs);
    }
  }

  /** The cache's hold: every scope while the stream is not trusted; a scope the replica lags on. */
  holds(scope: string): boolean {
    if (this.offReason() !== null) return true;
    const currentThrough = this.options.replicaCurrentThroughMs?.();
    if (currentThrough === undefined) return false;
    const heard = Math.max(this.heardEnd.get(scope) ?? Number.NEGATIVE_INFINITY, this.resetAtMs);
    return heard >= currentThrough;
  }

  state(): ReadCacheState {
    const reason = this.offReason();
    return {
      state: reason === null ? 'on' : 'off',
      reason,
      source: 'redis',
      resets: this.resetCount,
      writer: this.writer,
    };
  }

  private offReason(): string | null {
    if (this.lossReason !== null) return this.lossReason;
    if (this.now() - this.heardAtMs > this.leaseMs)
      return `no commit stream from the ingest leader for over ${this.leaseMs} ms`;
    return null;
  }

  /** Everything cached so far may be stale: void it, forget in-flight writes, trust anew. */
  private reset(): void {
    this.generations.invalidateAll();
    this.marks.clear();
    this.resetAtMs = this.now();
    this.resetCount++;
    this.lossReason = null;
  }
}
