import { redactUrl } from '../../config';
import { SYMBOL_PATTERN } from '../../domain/symbol';
import { createQuietLogger, type Logger } from '../../logger';
import { MINUTE_MS, type MinuteBar } from '../../domain/minute-bar';
import { fromAggregate } from '../tick-validation';
import type { RejectReason } from '../../domain/tick';
import { AggregatesRequest } from './aggregates-request';
import {
  pickBackfillTuning,
  type BackfillClientOptions,
  type BackfillClientStatus,
  type BackfillClientTuning,
} from './backfill-options';
import { BackfillClosedError, BackfillRequestError } from './errors';
import { RequestLimiter } from './request-limiter';

export {
  DEFAULT_BACKFILL_CLIENT_OPTIONS,
  type BackfillClientOptions,
  type BackfillClientStatus,
  type BackfillClientTuning,
} from './backfill-options';

/**
 * Fetches 1-minute bars from the Massive REST aggregates endpoint, following `next_url`,
 * retrying 429/5xx/network errors (honouring Retry-After) under a shared rate limit, and
 * validating each bar with the same rules as live ticks.
 */
export class MassiveBackfillClient {
  private readonly tuning: BackfillClientTuning;
  private readonly limiter: RequestLimiter;
  private readonly requests: AggregatesRequest;
  private readonly log: Logger;
  private readonly origin: string;
  private readonly abort = new AbortController();
  private readonly stats: BackfillClientStatus = {
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
    this.tuning = pickBackfillTuning(options);
    this.limiter = new RequestLimiter(this.tuning);
    this.log = (options.logger ?? createQuietLogger()).child({ component: 'massive-backfill' });
    this.origin = new URL(options.restUrl).origin;
    this.requests = new AggregatesRequest({
      tuning: this.tuning,
      limiter: this.limiter,
      signal: this.abort.signal,
      apiKey: options.apiKey,
      log: this.log,
      random: options.random ?? Math.random,
      counters: this.stats,
    });
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
      // Unadjusted, like the stream; `to` hedged by a minute (endpoints differ on whether a
      // bar starting exactly at `to` is included) and trimmed below.
      `${base}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${fromMs}/${toMs + MINUTE_MS}?adjusted=false&sort=asc&limit=${this.tuning.pageLimit}`,
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
        const body = await this.requests.get(url);
        this.stats.pages++;
        if (body.results !== undefined && !Array.isArray(body.results)) {
          throw new BackfillRequestError('results is not an array', 200, redactUrl(url));
        }
        for (const raw of (body.results as unknown[] | undefined) ?? []) {
          const bar = this.toBar(symbol, raw);
          if (bar && bar.minuteStartMs >= fromMs && bar.minuteStartMs <= toMs)
            byMinute.set(bar.minuteStartMs, bar);
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

  status(): BackfillClientStatus {
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
}
