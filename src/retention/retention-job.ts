import { NO_COMMIT_PORT, type CommitPort } from '../domain/commit-port';
import type { Logger } from '../logger';
import type { RetentionRepository, RetentionTable } from '../repositories/retention.repository';

export interface RetentionStatus {
  days: number;
  runs: number;
  batches: number;
  deleted: Record<RetentionTable, number>;
  chunksDropped: number;
  /** Cutoff of the last finished run (rows older than it are gone). */
  lastCutoff: string | null;
  lastRunAt: string | null;
  lastError: string | null;
  running: boolean;
}

export interface RetentionOptions {
  days: number;
  batchSize: number;
  /** Pause between batches: ingest's writes get the database in between. */
  pauseMs: number;
  firstRunAfterMs: number;
  intervalMs: number;
  /** Told after each batch (metrics). */
  onDeleted?(table: RetentionTable, rows: number): void;
  /** Every delete is reported for the symbols it touches, so the read cache drops them exactly. */
  commits?: CommitPort;
  now?: () => number;
}

export const DEFAULT_RETENTION: Omit<RetentionOptions, 'days'> = {
  batchSize: 5_000,
  pauseMs: 50,
  firstRunAfterMs: 5_000,
  intervalMs: 3_600_000,
};

const DAY_MS = 86_400_000;

/**
 * RETENTION_DAYS: a background loop, off the hot path, that removes bars and patterns older than
 * the cutoff in small batches with pauses between them (TimescaleDB: drop_chunks first). Bars go
 * symbol by symbol, so each batch is a primary-key range, whatever indexes the table has. One
 * run at a time; a failed batch ends the run and the next interval tries again.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  private stopped = false;
  private readonly counters: RetentionStatus;
  private readonly now: () => number;

  constructor(
    private readonly repository: RetentionRepository,
    private readonly options: RetentionOptions,
    private readonly logger: Logger,
  ) {
    this.now = options.now ?? Date.now;
    this.counters = {
      days: options.days,
      runs: 0,
      batches: 0,
      deleted: { ohlcv_1min: 0, patterns: 0 },
      chunksDropped: 0,
      lastCutoff: null,
      lastRunAt: null,
      lastError: null,
      running: false,
    };
  }

  start(): void {
    this.schedule(this.options.firstRunAfterMs);
  }

  status(): RetentionStatus {
    return { ...this.counters, deleted: { ...this.counters.deleted } };
  }

  /** One whole run now (waits for a run in progress first). */
  async runOnce(): Promise<void> {
    while (this.current) await this.current;
    this.current = this.run().finally(() => (this.current = null));
    await this.current;
  }

  /** Stops scheduling and waits for the batch in progress (a run stops between batches). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule(this.options.intervalMs));
    }, delayMs);
    this.timer.unref();
  }

  /** Batches until nothing older is left; false when stopped meanwhile. */
  private async deleteAll(
    table: RetentionTable,
    cutoff: Date,
    symbol: string | null,
    touched: readonly string[],
  ): Promise<boolean> {
    const commits = this.options.commits ?? NO_COMMIT_PORT;
    for (;;) {
      if (this.stopped) return false;
      const rows = await commits.around(symbol === null ? touched : [symbol], () =>
        this.repository.deleteBatch(table, cutoff, this.options.batchSize, symbol),
      );
      this.counters.batches++;
      this.counters.deleted[table] += rows;
      if (rows > 0) this.options.onDeleted?.(table, rows);
      if (rows < this.options.batchSize) return true;
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs));
    }
  }

  private async run(): Promise<void> {
    const cutoff = new Date(this.now() - this.options.days * DAY_MS);
    this.counters.running = true;
    const before = { ...this.counters.deleted };
    try {
      const symbols = await this.repository.symbols();
      const commits = this.options.commits ?? NO_COMMIT_PORT;
      this.counters.chunksDropped += await commits.around(symbols, () =>
        this.repository.dropOldChunks(cutoff),
      );
      for (const symbol of symbols) {
        if (!(await this.deleteAll('ohlcv_1min', cutoff, symbol, [symbol]))) return;
      }
      if (!(await this.deleteAll('patterns', cutoff, null, symbols))) return;
      this.counters.runs++;
      this.counters.lastCutoff = cutoff.toISOString();
      this.counters.lastError = null;
      const bars = this.counters.deleted.ohlcv_1min - before.ohlcv_1min;
      const patterns = this.counters.deleted.patterns - before.patterns;
      if (bars + patterns > 0) {
        this.logger.info(
          { cutoff: cutoff.toISOString(), bars, patterns },
          'retention removed old rows',
        );
      }
    } catch (error) {
      this.counters.lastError = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error }, 'retention run failed; next interval tries again');
    } finally {
      this.counters.running = false;
      this.counters.lastRunAt = new Date(this.now()).toISOString();
    }
  }
}
