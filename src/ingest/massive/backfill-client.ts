import { redactUrl } from '../../config';
import { SYMBOL_PATTERN } from '../../domain/symbol';
import { createQuietLogger, type Logger } from '../../logger';
import { MINUTE_MS, type MinuteBar } from '../../domain/minute-bar';
import { fromAggregate } from '../tick-validation';
import { type RejectReason, type TickSource } from '../../domain/tick';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from '../../lib/backoff';
import { BackfillClosedError, BackfillRequestError } from './errors';
import { RequestLimiter } from './request-limiter';

export interface BackfillClientTuning {
  maxConcurrent: number;
  /** Request starts per second across all calls; 0 = unlimited. */
  requestsPerSecond: number;
  /** Tries per request (first try included) for 429/5xx/network errors. */
  maxAttempts: number;
  retryBackoff: BackoffPolicy;
  /** Longest Retry-After honoured; longer ones are clamped to this. */
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
  /** `limit` query parameter (Massive's maximum is 50,000). */
  pageLimit: number;
  /** Guard against a `next_url` loop. */
  maxPages: number;
  /** Bars may start this far ahead of the local clock (raise it for an accelerated simulator). */
  maxFutureMs: number;
}

export const DEFAULT_BACKFILL_CLIENT_OPTIONS: Readonly<BackfillClientTuning> = Object.freeze({
  maxConcurrent: 4,
  requestsPerSecond: 10,
  maxAttempts: 6,
  retryBackoff: Object.freeze({ minMs: 500, maxMs: 30_000, factor: 2 }),
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 30_000,
  pageLimit: 50_000,
  maxPages: 1_000,
  maxFutureMs: 5 * 60_000,
});

export interface BackfillClientOptions extends Partial<BackfillClientTuning> {
  /** e.g. `https://api.massive.com` or the simulator's restUrl. */
  restUrl: string;
  apiKey: string;
  /** Recorded in validation (TickData.source). */
  source?: TickSource;
  logger?: Logger;
  random?: () => number;
}

/** Counters for BackfillStatus (`requests`, `failures`, `lastError`) and more detail. */
export interface BackfillClientCounters {
  requests: number;
  retries: number;
  pages: number;
  /** fetchMinuteBars calls that failed for good. */
  failures: number;
  barsFetched: number;
  barsRejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  lastError: string | null;
  lastRequestAt: string | null;
}

interface AggregatesPage {
  status?: unknown;
  results?: unknown;
  next_url?: unknown;
  error?: unknown;
  message?: unknown;
}

/**
 * Fetches 1-minute bars from the Massive REST aggregates endpoint, following `next_url`,
 * retrying 429/5xx/network errors (honouring Retry-After) under a shared rate limit, and
 * validating each bar with the same rules as live ticks.
 */
export class MassiveBackfillClient {
  private readonly tuning: BackfillClientTuning;
  private readonly limiter: RequestLimiter;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly origin: string;
  private readonly abort = new AbortController();
  private readonly stats: BackfillClientCounters = {
    requests: 0,
    retries: 0,
    pages: 0,
    failures: 0,
    barsFetched: 0,
    barsRejected: 0,
    rejectedByReason: {},
    lastError: null,
    lastRequestAt: null,
  };

  constructor(private readonly options: BackfillClientOptions) {
    const tuning: Record<string, unknown> = { ...DEFAULT_BACKFILL_CLIENT_OPTIONS };
    for (const key of Object.keys(
      DEFAULT_BACKFILL_CLIENT_OPTIONS,
    ) as (keyof BackfillClientTuning)[]) {
      if (options[key] !== undefined) tuning[key] = options[key];
    }
    this.tuning = tuning as unknown as BackfillClientTuning;
    this.limiter = new RequestLimiter(this.tuning);
    this.log = (options.logger ?? createQuietLogger()).child({ component: 'massive-backfill' });
    this.random = options.random ?? Math.random;
    this.origin = new URL(options.restUrl).origin;
  }

  /**
   * Minute bars of `symbol` whose start is in [fromMs, toMs] (Unix ms, inclusive, as the
   * endpoint defines it), oldest first, one per minute.
   */
  async fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]> {
    if (!SYMBOL_PATTERN.test(symbol))
      throw new RangeError(`invalid symbol "${symbol.slice(0, 30)}"`);
    if (!Number.isInteger(fromMs) || !Number.isInteger(toMs) || fromMs > toMs) {
      throw new RangeError(`invalid range ${fromMs}..${toMs}`);
    }
    const base = this.options.restUrl.replace(/\/+$/, '');
    let url: string | null = this.withApiKey(
      `${base}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${fromMs}/${toMs}?adjusted=true&sort=asc&limit=${this.tuning.pageLimit}`,
    );
    const byMinute = new Map<number, MinuteBar>();
    try {
      for (let page = 0; url !== null; page++) {
        if (page >= this.tuning.maxPages) {
          throw new BackfillRequestError(
            `more than ${this.tuning.maxPages} pages`,
            null,
            redactUrl(url),
          );
        }
        const body = await this.request(url);
        this.stats.pages++;
        if (body.results !== undefined && !Array.isArray(body.results)) {
          throw new BackfillRequestError('results is not an array', 200, redactUrl(url));
        }
        for (const raw of (body.results as unknown[] | undefined) ?? []) {
          const bar = this.toBar(symbol, raw);
          if (bar) byMinute.set(bar.minuteStartMs, bar);
        }
        url =
          typeof body.next_url === 'string' && body.next_url !== ''
            ? this.withApiKey(body.next_url)
            : null;
      }
    } catch (error) {
      this.stats.failures++;
      this.stats.lastError = error instanceof Error ? error.message : String(error);
      this.log.warn({ symbol, fromMs, toMs, err: error }, 'backfill fetch failed');
      throw error;
    }
    const bars = [...byMinute.values()].sort((a, b) => a.minuteStartMs - b.minuteStartMs);
    this.stats.barsFetched += bars.length;
    return bars;
  }

  counters(): BackfillClientCounters {
    return { ...this.stats, rejectedByReason: { ...this.stats.rejectedByReason } };
  }

  /** Aborts in-flight requests and retry waits; pending and later calls reject with BackfillClosedError. */
  close(): void {
    this.abort.abort(new BackfillClosedError());
    this.limiter.close();
  }

  private toBar(symbol: string, raw: unknown): MinuteBar | null {
    if (typeof raw !== 'object' || raw === null) return this.rejectBar('not_an_object');
    const r = raw as Record<string, unknown>;
    const t = r.t;
    if (typeof t === 'number' && t % MINUTE_MS !== 0) return this.rejectBar('absurd_timestamp');
    const validation = fromAggregate(
      {
        sym: symbol,
        o: r.o,
        h: r.h,
        l: r.l,
        c: r.c,
        v: r.v,
        vw: r.vw,
        s: t,
        e: typeof t === 'number' ? t + MINUTE_MS : t,
      },
      'AM',
      {
        source: this.options.source ?? 'massive',
        receivedAtMs: Date.now(),
        maxFutureMs: this.tuning.maxFutureMs,
      },
    );
    if (!validation.ok) return this.rejectBar(validation.reason);
    const tick = validation.tick;
    return {
      symbol,
      minuteStartMs: tick.startMs,
      open: tick.open,
      high: tick.high,
      low: tick.low,
      close: tick.close,
      volume: tick.volume,
      vwap: tick.vwap,
    };
  }

  private rejectBar(reason: RejectReason): null {
    this.stats.barsRejected++;
    this.stats.rejectedByReason[reason] = (this.stats.rejectedByReason[reason] ?? 0) + 1;
    return null;
  }

  /** Adds the key to a `next_url` (Massive omits it); refuses to send it to another host. */
  private withApiKey(raw: string): string {
    const url = new URL(raw);
    if (url.origin !== this.origin) {
      throw new BackfillRequestError(
        `next_url points to another origin (${url.origin})`,
        null,
        redactUrl(raw),
      );
    }
    if (!url.searchParams.has('apiKey')) url.searchParams.set('apiKey', this.options.apiKey);
    return url.toString();
  }

  private async request(url: string): Promise<AggregatesPage> {
    const safeUrl = redactUrl(url);
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire();
      let retryAfterMs: number | null = null;
      let failure: BackfillRequestError;
      try {
        this.stats.requests++;
        this.stats.lastRequestAt = new Date().toISOString();
        const response = await fetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.any([
            this.abort.signal,
            AbortSignal.timeout(this.tuning.requestTimeoutMs),
          ]),
        });
        if (response.ok) {
          const body = (await response.json()) as AggregatesPage;
          if (body.status === 'OK' || body.status === 'DELAYED') return body;
          throw new BackfillRequestError(
            `unexpected status "${this.describeBody(body)}"`,
            response.status,
            safeUrl,
          );
        }
        const text = await response.text().catch(() => '');
        failure = new BackfillRequestError(
          `HTTP ${response.status}${text ? `: ${this.redactKey(text.slice(0, 200))}` : ''}`,
          response.status,
          safeUrl,
        );
        if (response.status !== 429 && response.status < 500) throw failure;
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      } catch (error) {
        if (this.abort.signal.aborted) throw new BackfillClosedError();
        if (
          error instanceof BackfillRequestError &&
          (error.status === null || error.status < 500) &&
          error.status !== 429
        ) {
          throw error;
        }
        failure =
          error instanceof BackfillRequestError
            ? error
            : new BackfillRequestError(
                `request failed: ${error instanceof Error ? error.message : String(error)}`,
                null,
                safeUrl,
                {
                  cause: error,
                },
              );
      } finally {
        this.limiter.release();
      }
      if (attempt >= this.tuning.maxAttempts) {
        throw new BackfillRequestError(
          `gave up after ${attempt} attempts: ${failure.message}`,
          failure.status,
          safeUrl,
          {
            cause: failure,
          },
        );
      }
      const delay =
        retryAfterMs !== null
          ? Math.min(retryAfterMs, this.tuning.maxRetryAfterMs)
          : backoffDelay(this.tuning.retryBackoff, attempt - 1, this.random);
      this.stats.retries++;
      this.log.info(
        { url: safeUrl, attempt, delayMs: delay, status: failure.status },
        'backfill request retry',
      );
      await this.sleep(delay);
    }
  }

  private describeBody(body: AggregatesPage): string {
    const parts = [body.status, body.error, body.message].filter(
      (p): p is string => typeof p === 'string',
    );
    return this.redactKey(parts.join(': ').slice(0, 200));
  }

  private redactKey(text: string): string {
    return this.options.apiKey ? text.split(this.options.apiKey).join('***') : text;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.abort.signal.aborted) {
        reject(new BackfillClosedError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new BackfillClosedError());
      };
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
