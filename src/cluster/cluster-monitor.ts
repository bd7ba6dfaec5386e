import type { ReplicaStatus } from '../domain/cluster-status';
import type { Logger } from '../logger';
import { RateLimitedLog } from '../logger';
import type { ClusterRepository, LockHolder } from '../repositories/cluster.repository';

export interface ClusterMonitorOptions {
  primary: ClusterRepository;
  /** null without DATABASE_READ_URL. */
  replica: ClusterRepository | null;
  maxLagMs: number;
  pollMs: number;
  logger: Logger;
}

/**
 * What an API instance knows about the rest of the deployment, refreshed every `pollMs`: who
 * holds the ingest lock, and how far the read replica is behind. The freshness policy lives
 * here: reads go to the replica only while its last measurement is recent and its lag is at
 * most `maxLagMs`; otherwise (lagging, unreachable, not measured yet) to the primary.
 */
export class ClusterMonitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private leaderHolder: LockHolder | null = null;
  private replicaState: ReplicaStatus | null;
  private measuredAtMs = 0;
  private currentThroughMs = Number.NEGATIVE_INFINITY;
  private readonly log: RateLimitedLog;

  constructor(private readonly options: ClusterMonitorOptions) {
    this.log = new RateLimitedLog(options.logger);
    this.replicaState =
      options.replica === null
        ? null
        : {
            reachable: false,
            lagMs: null,
            lagBytes: null,
            maxLagMs: options.maxLagMs,
            readsFrom: 'primary',
            measuredAt: null,
          };
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  leader(): LockHolder | null {
    return this.leaderHolder;
  }

  replica(): ReplicaStatus | null {
    return this.replicaState === null
      ? null
      : { ...this.replicaState, readsFrom: this.readsFrom() };
  }

  /**
   * Every commit on the primary before this time (ms) is replayed on the replica: the start of
   * the last measurement that found the replica at or past the primary's WAL position.
   */
  replicaCurrentThroughMs(): number {
    return this.currentThroughMs;
  }

  /** The freshness policy, asked on every read. */
  readsFromReplica(): boolean {
    return this.readsFrom() === 'replica';
  }

  private readsFrom(): 'replica' | 'primary' {
    const state = this.replicaState;
    if (state === null || !state.reachable || state.lagMs === null) return 'primary';
    // A measurement older than 3 polls says nothing about now.
    if (Date.now() - this.measuredAtMs > 3 * this.options.pollMs) return 'primary';
    return state.lagMs <= this.options.maxLagMs ? 'replica' : 'primary';
  }

  refresh(): Promise<void> {
    this.running ??= this.measure().finally(() => (this.running = null));
    return this.running;
  }

  private async measure(): Promise<void> {
    const { primary, replica } = this.options;
    try {
      this.leaderHolder = await primary.lockHolder();
    } catch (error) {
      this.log.warn('leader', { err: error }, 'could not read the ingest leader from the primary');
    }
    if (replica === null || this.replicaState === null) return;
    try {
      // Primary position first: the byte lag then errs towards too large, never too small.
      const askedAtMs = Date.now();
      const primaryLsn = await primary.currentLsn();
      const position = await replica.replicaPosition();
      const lagBytes =
        position.replayLsn === null
          ? null
          : await primary.lsnDiffBytes(primaryLsn, position.replayLsn);
      this.replicaState = {
        ...this.replicaState,
        reachable: position.inRecovery,
        lagMs: position.replayLagMs,
        lagBytes,
        measuredAt: new Date().toISOString(),
      };
      this.measuredAtMs = Date.now();
      if (position.inRecovery && lagBytes === 0) this.currentThroughMs = askedAtMs;
      if (!position.inRecovery)
        this.log.warn('replica-role', {}, 'DATABASE_READ_URL is not a replica (not in recovery)');
    } catch (error) {
      this.replicaState = { ...this.replicaState, reachable: false };
      this.log.warn(
        'replica',
        { err: error },
        'replica lag not measurable; reading from the primary',
      );
    }
  }
}
