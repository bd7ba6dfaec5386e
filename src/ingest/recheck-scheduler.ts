import { backoffDelay } from '../lib/backoff';
import type { Logger } from '../logger';
import { MINUTE_MS, type MinuteBar } from '../domain/minute-bar';
import type { StoredBar } from '../domain/stored-bar';
import type { RecheckReason } from './bars/aggregator-options';
import { emptyReconcileStatus, type ReconcileStatus } from '../domain/status';

export interface RecheckDeps {
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]>;
  /** Stored minutes of one symbol in [fromMs, toMs] (minute starts). */
  readStored(symbol: string, fromMs: number, toMs: number): Promise<StoredBar[]>;
  /** Writes REST minutes as final (they replace the stored rows). */
  writeFinal(bars: MinuteBar[]): Promise<void>;
  /** Feed time now (the simulator's clock, or the wall clock for the real feed). */
  clockMs(): number;
  logger: Logger;
}

export interface RecheckOptions {
  /** A minute is re-fetched once this long has passed after its end (the correction window). */
  windowMs: number;
  /** After a symbol's oldest minute is due, wait this long so one request covers several. */
  batchDelayMs: number;
  /** REST requests per minute this scheduler may spend (token bucket). */
  requestsPerMinute: number;
  /** Longest range one request asks for. */
  maxRangeMinutes: number;
  checkIntervalMs: number;
}

const DEFAULTS: RecheckOptions = {
  windowMs: 16 * MINUTE_MS,
  batchDelayMs: 4 * MINUTE_MS,
  requestsPerMinute: 600,
  maxRangeMinutes: 120,
  checkIntervalMs: 1_000,
};

/**
 * Volumes and prices are compared as stored (numeric text parsed); VWAP only beyond REST's own
 * precision (4 decimals), so a live minute REST agrees with is not replaced for rounding.
 */
function differs(stored: StoredBar | undefined, rest: MinuteBar): boolean {
  if (stored === undefined) return true;
  if (Number(stored.volume) !== rest.volume) return true;
  if (Number(stored.open) !== rest.open || Number(stored.close) !== rest.close) return true;
  if (Number(stored.high) !== rest.high || Number(stored.low) !== rest.low) return true;
  if ((stored.vwap === null) !== (rest.vwap === null)) return true;
  return rest.vwap !== null && Math.abs(Number(stored.vwap) - rest.vwap) > 1e-4;
}

/**
 * Re-fetches minutes from REST once their correction window has closed and replaces the stored
 * row where REST differs: minutes a correction could not be applied to from memory, every
 * gap-filled minute (REST may have lagged when the gap was filled), refused writes, and — when
 * reconciliation is on — every closed minute of the reconciled symbols. One request per symbol
 * covers every due minute of a range, under a token-bucket budget; what the budget does not
 * allow waits for the next turn, and a failed request is retried with backoff.
 */
export class RecheckScheduler {
  private readonly options: RecheckOptions;
  /** symbol → minute start → reasons (bit per RecheckReason). */
  private readonly due = new Map<string, Map<number, number>>();
  private readonly retry = new Map<string, { atMs: number; streak: number }>();
  private tokens: number;
  private refilledAtMs = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly counters: ReconcileStatus = emptyReconcileStatus();

  constructor(
    private readonly deps: RecheckDeps,
    options: Partial<RecheckOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.tokens = this.options.requestsPerMinute;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.runDue(), this.options.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Marks one minute for a REST re-check after its window (idempotent per minute and reason). */
  schedule(symbol: string, minuteStartMs: number, reason: RecheckReason): void {
    let minutes = this.due.get(symbol);
    if (minutes === undefined) {
      minutes = new Map();
      this.due.set(symbol, minutes);
    }
    const bit = 1 << REASONS.indexOf(reason);
    const had = minutes.get(minuteStartMs);
    if (had !== undefined && (had & bit) !== 0) return;
    if (had === undefined) this.counters.pending++;
    minutes.set(minuteStartMs, (had ?? 0) | bit);
    this.counters.scheduled[reason]++;
  }

  status(): ReconcileStatus {
    return { ...this.counters, scheduled: { ...this.counters.scheduled } };
  }

  /** One turn: every symbol whose minutes are due, within the request budget. */
  runDue(): Promise<void> {
    this.running ??= this.turn().finally(() => (this.running = null));
    return this.running;
  }

  private async turn(): Promise<void> {
    const now = this.deps.clockMs();
    const { windowMs, batchDelayMs } = this.options;
    for (const [symbol, minutes] of [...this.due]) {
      if ((this.retry.get(symbol)?.atMs ?? 0) > Date.now()) continue;
      const ripe = [...minutes.keys()]
        .filter((m) => m + MINUTE_MS + windowMs <= now)
        .sort((a, b) => a - b);
      if (ripe.length === 0 || ripe[0] + MINUTE_MS + windowMs + batchDelayMs > now) continue;
      for (const range of ranges(ripe, this.options.maxRangeMinutes)) {
        if (!this.takeToken()) return;
        await this.check(symbol, range, minutes);
      }
      if (minutes.size === 0) this.due.delete(symbol);
    }
  }

  private async check(
    symbol: string,
    range: number[],
    minutes: Map<number, number>,
  ): Promise<void> {
    const fromMs = range[0];
    const toMs = range[range.length - 1];
    this.counters.requests++;
    try {
      // The database first: while it is down, no REST request is spent on a check that fails.
      const stored = await this.deps.readStored(symbol, fromMs, toMs);
      const rest = await this.deps.fetchMinuteBars(symbol, fromMs, toMs);
      const restByMinute = new Map(rest.map((bar) => [bar.minuteStartMs, bar]));
      const storedByMinute = new Map(stored.map((bar) => [bar.timestamp.getTime(), bar]));
      const replace: MinuteBar[] = [];
      for (const minute of range) {
        const restBar = restByMinute.get(minute);
        const storedBar = storedByMinute.get(minute);
        this.counters.minutesChecked++;
        // No REST minute: no trade REST knows of; the stored live bar stays as it is.
        if (restBar === undefined) {
          if (storedBar !== undefined) this.counters.missingInRest++;
          continue;
        }
        if (!differs(storedBar, restBar)) continue;
        this.counters.volumeDrift += Math.abs(restBar.volume - Number(storedBar?.volume ?? 0));
        replace.push(restBar);
      }
      if (replace.length > 0) await this.deps.writeFinal(replace);
      this.counters.minutesReplaced += replace.length;
      for (const minute of range) minutes.delete(minute);
      this.counters.pending -= range.length;
      this.retry.delete(symbol);
    } catch (error) {
      this.counters.failures++;
      this.counters.lastError = error instanceof Error ? error.message : String(error);
      const streak = (this.retry.get(symbol)?.streak ?? 0) + 1;
      const delayMs = backoffDelay(
        { minMs: 2_000, maxMs: 60_000, factor: 2, jitter: 0 },
        streak - 1,
      );
      this.retry.set(symbol, { atMs: Date.now() + delayMs, streak });
      this.deps.logger.warn(
        { err: error, symbol, retryInMs: delayMs },
        'minute re-check failed; will retry',
      );
    }
  }

  private takeToken(): boolean {
    const now = Date.now();
    const { requestsPerMinute } = this.options;
    this.tokens = Math.min(
      requestsPerMinute,
      this.tokens + ((now - this.refilledAtMs) * requestsPerMinute) / MINUTE_MS,
    );
    this.refilledAtMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const REASONS: readonly RecheckReason[] = [
  'restart',
  'evicted',
  'conflict',
  'gap-fill',
  'reconcile',
];

/** Sorted minutes split into runs of at most `max` minutes of span. */
function ranges(sorted: readonly number[], max: number): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  for (const minute of sorted) {
    if (current.length > 0 && minute - current[0] >= max * MINUTE_MS) {
      out.push(current);
      current = [];
    }
    current.push(minute);
  }
  if (current.length > 0) out.push(current);
  return out;
}
