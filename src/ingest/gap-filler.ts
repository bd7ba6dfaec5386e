import { backoffDelay } from '../lib/backoff';
import type { Logger } from '../logger';
import { MINUTE_MS, minuteStart, type MinuteBar } from '../domain/minute-bar';
import { emptyBackfillStatus, type BackfillStatus } from '../domain/status';

/** A stretch of feed time a symbol may have missed (socket down, process restarted). */
export interface Gap {
  symbol: string;
  /** Feed time of the last data before the gap (its minute is re-fetched: it may be partial). */
  fromMs: number;
  /** Feed time of the first data after the gap (its minute is re-fetched once it has closed). */
  toMs: number;
}

export interface GapFillerDeps {
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]>;
  /** Writes REST minutes promptly (full seconds mask, so nothing counts twice; see RestWriteMode). */
  writeRestBars(bars: MinuteBar[]): Promise<void>;
  /** Every filled minute is re-fetched once its correction window has closed (REST lags). */
  recheck?(symbol: string, minuteStartMs: number): void;
  /** Newest feed time seen on the live stream (window end), 0 before the first tick. */
  feedTimeMs(): number;
  /**
   * The feed's clock, for a feed that may be quiet (Massive after the close): when no live data
   * has come `quietAfterMs` after start, restart gaps end at this clock instead of waiting.
   */
  clockMs?: (() => number) | undefined;
  logger: Logger;
}

export interface GapFillerOptions {
  /** Longest gap fetched, counted back from its end. */
  maxMinutes: number;
  /** Feed time a minute must be past its end before its REST bar is trusted as complete. */
  settleMs: number;
  checkIntervalMs: number;
  /** Gaps fetched at once. */
  concurrency: number;
  /** See GapFillerDeps.clockMs. */
  quietAfterMs: number;
}

const DEFAULTS: GapFillerOptions = {
  maxMinutes: 24 * 60,
  settleMs: 2_000,
  checkIntervalMs: 500,
  concurrency: 4,
  quietAfterMs: 10_000,
};

/**
 * Fills holes in ohlcv_1min from the REST aggregates endpoint. A gap waits until the feed has
 * moved past its last minute (so the REST bar of that minute is complete), then every minute
 * from the gap's first to its last is fetched and written as authoritative: the live partial
 * bars of those minutes are replaced, and live seconds arriving later are recognised as
 * already counted. Gaps for the same symbol are merged while they wait.
 */
export class GapFiller {
  private readonly options: GapFillerOptions;
  private readonly pending = new Map<string, Gap>();
  private readonly openEnded = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  /** Wall-clock time before which a failed symbol is not retried, and its failure streak. */
  private readonly retry = new Map<string, { atMs: number; streak: number }>();
  private timer: NodeJS.Timeout | null = null;
  private readonly counters: BackfillStatus = emptyBackfillStatus();
  private readonly createdAtMs = Date.now();

  constructor(
    private readonly deps: GapFillerDeps,
    options: Partial<GapFillerOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  start(): void {
    this.timer ??= setInterval(() => this.fillReadyGaps(), this.options.checkIntervalMs);
    this.timer.unref();
  }

  enqueue(gap: Gap): void {
    if (this.options.maxMinutes === 0 || gap.toMs < gap.fromMs) return;
    const earliest = minuteStart(gap.toMs) - (this.options.maxMinutes - 1) * MINUTE_MS;
    const from = Math.max(minuteStart(gap.fromMs), earliest);
    const existing = this.pending.get(gap.symbol);
    this.pending.set(gap.symbol, {
      symbol: gap.symbol,
      fromMs: Math.min(existing?.fromMs ?? from, from),
      toMs: Math.max(existing?.toMs ?? 0, minuteStart(gap.toMs)),
    });
  }

  /**
   * A gap whose end is not known yet: after a restart, each symbol missed everything from its
   * newest stored minute until live data resumes. The end becomes the feed time of the first
   * live tick, or — when the feed stays quiet (after the close) — the last minute closed by the
   * feed's clock.
   */
  enqueueUntilLive(symbol: string, fromMs: number): void {
    this.openEnded.set(symbol, fromMs);
  }

  pendingCount(): number {
    return this.pending.size + this.openEnded.size;
  }

  status(): BackfillStatus {
    return { ...this.counters };
  }

  /** Starts every gap whose last minute has closed in feed time, up to the concurrency limit. */
  fillReadyGaps(): void {
    const feedTime = this.feedTime();
    if (feedTime > 0 && this.openEnded.size > 0) {
      // Live data ends the gap at its first tick; a quiet feed at the clock's last closed minute.
      const toMs = this.deps.feedTimeMs() > 0 ? feedTime : minuteStart(feedTime) - MINUTE_MS;
      for (const [symbol, fromMs] of this.openEnded) this.enqueue({ symbol, fromMs, toMs });
      this.openEnded.clear();
    }
    for (const gap of [...this.pending.values()]) {
      if (this.running.size >= this.options.concurrency) return;
      if (feedTime < gap.toMs + MINUTE_MS + this.options.settleMs) continue;
      if ((this.retry.get(gap.symbol)?.atMs ?? 0) > Date.now()) continue;
      this.pending.delete(gap.symbol);
      const run = this.fill(gap).finally(() => this.running.delete(run));
      this.running.add(run);
    }
  }

  /**
   * At shutdown: fills every waiting gap now, up to the last minute that has closed in feed
   * time, so no hole is left behind. The still-open minute needs no fill now: it is the newest
   * stored minute, which the next start re-fetches (enqueueUntilLive).
   */
  async fillPendingNow(): Promise<void> {
    const feedTime = this.deps.feedTimeMs();
    if (feedTime <= 0) return;
    const closedThrough = minuteStart(feedTime) - MINUTE_MS;
    const gaps = [...this.pending.values()];
    this.pending.clear();
    await this.drain();
    for (let i = 0; i < gaps.length; i += this.options.concurrency) {
      const batch = gaps
        .slice(i, i + this.options.concurrency)
        .filter((gap) => gap.fromMs <= closedThrough);
      await Promise.all(
        batch.map((gap) => this.fill({ ...gap, toMs: Math.min(gap.toMs, closedThrough) })),
      );
    }
  }

  /** Waits for gaps in flight (not for ones still waiting for their minute to close). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Live feed time; while no live data has come for a while, the feed's clock. */
  private feedTime(): number {
    const live = this.deps.feedTimeMs();
    const clock = this.deps.clockMs;
    if (live > 0 || clock === undefined) return live;
    return Date.now() - this.createdAtMs >= this.options.quietAfterMs ? clock() : 0;
  }

  private async fill(gap: Gap): Promise<void> {
    this.counters.runs++;
    this.counters.lastRunAt = new Date().toISOString();
    try {
      this.counters.requests++;
      const bars = await this.deps.fetchMinuteBars(gap.symbol, gap.fromMs, gap.toMs);
      const inRange = bars.filter(
        (b) => b.minuteStartMs >= gap.fromMs && b.minuteStartMs <= gap.toMs,
      );
      if (inRange.length > 0) await this.deps.writeRestBars(inRange);
      for (let m = minuteStart(gap.fromMs); m <= gap.toMs; m += MINUTE_MS)
        this.deps.recheck?.(gap.symbol, m);
      this.counters.minutesFilled += inRange.length;
      this.retry.delete(gap.symbol);
      this.deps.logger.info(
        {
          symbol: gap.symbol,
          from: new Date(gap.fromMs).toISOString(),
          to: new Date(gap.toMs).toISOString(),
          minutes: inRange.length,
        },
        'gap backfilled',
      );
    } catch (error) {
      this.counters.failures++;
      this.counters.lastError = error instanceof Error ? error.message : String(error);
      const streak = (this.retry.get(gap.symbol)?.streak ?? 0) + 1;
      const delayMs = backoffDelay(
        { minMs: 2_000, maxMs: 60_000, factor: 2, jitter: 0 },
        streak - 1,
      );
      this.retry.set(gap.symbol, { atMs: Date.now() + delayMs, streak });
      this.deps.logger.error(
        { err: error, symbol: gap.symbol, retryInMs: delayMs },
        'gap backfill failed; will retry',
      );
      this.enqueue(gap);
    }
  }
}
