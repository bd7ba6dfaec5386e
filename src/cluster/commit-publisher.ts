import { randomBytes } from 'node:crypto';
import type { CommitPort } from '../domain/commit-port';

/** How often a leader says "no commit missed" when it has nothing else to say. */
export const COMMIT_BEAT_MS = 250;

/**
 * One message of the commit stream: writer `w` (one per process lifetime), sequence `s`
 * (1, 2, 3 … per writer, so a receiver sees a lost message as a gap), and a write of symbols `y`
 * that began or ended (`i` pairs them), or a beat.
 */
export type CommitMessage =
  | { w: string; s: number; k: 'begin' | 'end'; i: number; y: string[] }
  | { w: string; s: number; k: 'beat' };

/**
 * The ingest leader's CommitPort: every write of served rows (flushes, corrections, backfill,
 * re-checks, patterns, retention) announced on the Redis commit channel when it begins and
 * when it ends, so API instances keep their read caches exact (RemoteCommits). It never waits
 * for Redis: a write is never slowed or stopped by the cache; receivers that cannot be sure they
 * heard everything turn their cache off instead.
 */
export class CommitPublisher implements CommitPort {
  readonly writer: string;
  private seq = 0;
  private writes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    instanceId: string,
    private readonly publish: (message: string) => void,
    /** Beats are sent only while leading: a standby's beats would claim a stream it has not. */
    private readonly leading: () => boolean,
  ) {
    this.writer = `${instanceId}.${randomBytes(4).toString('hex')}`;
  }

  async around<T>(symbols: Iterable<string>, write: () => Promise<T>): Promise<T> {
    const list = [...new Set(symbols)];
    if (list.length === 0) return write();
    const id = ++this.writes;
    this.send({ k: 'begin', i: id, y: list });
    try {
      return await write();
    } finally {
      this.send({ k: 'end', i: id, y: list });
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.beat(), COMMIT_BEAT_MS);
    this.timer.unref();
  }

  /** "Nothing missed so far", while leading. */
  beat(): void {
    if (this.leading()) this.send({ k: 'beat' });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private send(body: { k: 'begin' | 'end'; i: number; y: string[] } | { k: 'beat' }): void {
    const message: CommitMessage = { w: this.writer, s: ++this.seq, ...body };
    this.publish(JSON.stringify(message));
  }
}
