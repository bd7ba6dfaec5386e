import type { AggregateBar } from '../domain/aggregate-bar';
import { timeframeLabel, type Timeframe, type TradingSession } from '../domain/timeframe';
import type { SymbolLookupService } from './symbol-lookup.service';
import type { BarRollupRepository, RollupBuckets } from '../repositories/bar-rollup.repository';
import { decodeBarCursor, encodeBarCursor, type BarCursor } from './bar-cursor';
import { InvalidInputError, readThrough } from './domain-errors';
import { checkLimit, DEFAULT_LIMIT, MAX_LIMIT } from './query-input';
import { bucketRule, bucketStarts, type BucketRule } from './timeframe-buckets';

export interface TimeframeBarsQuery {
  /** Exactly as stored (tickers are case-sensitive: BCpC is not BCPC). */
  symbol: string;
  timeframe: Timeframe;
  /** Every bucket holding a minute in [from, to] is served whole; open ends when null. */
  from?: Date | null;
  to?: Date | null;
  session?: TradingSession;
  limit?: number;
  /** A cursor from a previous page of the same query. */
  after?: string | null;
  sort?: 'asc' | 'desc';
}

export interface TimeframeBarsPage {
  bars: AggregateBar[];
  /** Cursor of the next page, null on the last one. */
  nextCursor: string | null;
}

export interface TimeframeBarsLimits {
  defaultLimit: number;
  maxLimit: number;
}

/** GraphQL's page limits (the same as every other list); the REST endpoint passes Massive's. */
export const GRAPHQL_BAR_LIMITS: TimeframeBarsLimits = {
  defaultLimit: DEFAULT_LIMIT,
  maxLimit: MAX_LIMIT,
};

/** Open range ends: before any stored minute, and far after any. */
const EARLIEST_MS = Date.UTC(1970, 0, 5);
const LATEST_MS = Date.UTC(2200, 0, 1);

/**
 * Bars of any timeframe, rolled up exactly from the stored minutes (so corrections and
 * backfills show in every timeframe at once), with cursor pagination. A page is read in
 * windows of at most `limit + 1` buckets starting at the next stored minute, so a page costs
 * a range scan of about the minutes it returns however long the requested range is.
 */
export class TimeframeBarsService {
  constructor(
    private readonly repository: BarRollupRepository,
    private readonly lookup: Pick<SymbolLookupService, 'resolve'>,
    private readonly now: () => number = Date.now,
  ) {}

  async bars(
    query: TimeframeBarsQuery,
    limits: TimeframeBarsLimits = GRAPHQL_BAR_LIMITS,
  ): Promise<TimeframeBarsPage> {
    const symbol = await this.lookup.resolve(query.symbol);
    const rule = bucketRule(query.timeframe);
    const session = query.session ?? 'ALL';
    if (session !== 'ALL' && session !== 'REGULAR')
      throw new InvalidInputError('session must be ALL or REGULAR', 'session');
    const sort = query.sort ?? 'asc';
    const limit = checkLimit(query.limit ?? limits.defaultLimit, 'limit', limits.maxLimit);
    const fromMs = checkTime(query.from, 'from') ?? EARLIEST_MS;
    const toMs = checkTime(query.to, 'to') ?? LATEST_MS;
    if (fromMs > toMs) throw new InvalidInputError('from must not be later than to', 'from');
    const lo = rule.start(fromMs);
    const hi = rule.next(toMs);
    const scope = { symbol, timeframe: timeframeLabel(rule.timeframe), session, sort };
    let at = sort === 'asc' ? lo : hi;
    if (query.after !== null && query.after !== undefined) {
      const cursor = decodeBarCursor(query.after);
      if (!sameQuery(cursor, { ...scope, from: lo, to: hi }) || cursor.at < lo || cursor.at > hi)
        throw new InvalidInputError('after belongs to a different query', 'after');
      at = cursor.at;
    }
    const bars = await readThrough('bar roll-up failed', () =>
      this.collect(rule, symbol, session === 'REGULAR', sort, { lo, hi, at }, limit + 1),
    );
    if (bars.length <= limit) return { bars, nextCursor: null };
    const first = bars[limit].timestamp.getTime();
    const nextAt = sort === 'asc' ? first : rule.next(first);
    return {
      bars: bars.slice(0, limit),
      nextCursor: encodeBarCursor({ ...scope, at: nextAt, from: lo, to: hi }),
    };
  }

  /** The bar of the `timeframe` bucket holding instant `ms` (the in-progress bar), or null. */
  async bucketBar(
    symbol: string,
    timeframe: Timeframe,
    session: TradingSession,
    ms: number,
  ): Promise<AggregateBar | null> {
    const rule = bucketRule(timeframe);
    const start = rule.start(ms);
    const [bar] = await readThrough('bar roll-up failed', () =>
      this.window(rule, {
        symbol,
        startsMs: [start],
        fromMs: start,
        toMs: rule.next(start),
        regularOnly: session === 'REGULAR',
        order: 'asc',
      }),
    );
    return bar ?? null;
  }

  /** Up to `want` non-empty bars from `range.at` on (asc) or before it (desc). */
  private async collect(
    rule: BucketRule,
    symbol: string,
    regularOnly: boolean,
    sort: 'asc' | 'desc',
    range: { lo: number; hi: number; at: number },
    want: number,
  ): Promise<AggregateBar[]> {
    const out: AggregateBar[] = [];
    let at = range.at;
    while (out.length < want) {
      const k = want - out.length;
      // A range that cannot hold more than k buckets is one window: no edge probe needed.
      const whole = out.length === 0 && fewerBucketsThan(rule, range.hi - range.lo, k);
      const edge = whole
        ? sort === 'asc'
          ? at
          : at - 1
        : sort === 'asc'
          ? await this.repository.edgeMinute(symbol, at, range.hi, regularOnly, 'asc')
          : await this.repository.edgeMinute(symbol, range.lo, at, regularOnly, 'desc');
      if (edge === null) break;
      let starts: number[];
      let windowFrom: number;
      let windowTo: number;
      if (sort === 'asc') {
        const ahead = bucketStarts(rule, edge, range.hi, k + 1);
        starts = ahead.slice(0, k);
        windowFrom = starts[0];
        windowTo = ahead.length > k ? ahead[k] : range.hi;
      } else {
        starts = [rule.start(edge)];
        while (starts.length < k && starts[0] > range.lo) starts.unshift(rule.start(starts[0] - 1));
        windowFrom = starts[0];
        windowTo = rule.next(edge);
      }
      const bars = await this.window(rule, {
        symbol,
        startsMs: starts,
        fromMs: windowFrom,
        toMs: windowTo,
        regularOnly,
        order: sort,
      });
      out.push(...bars);
      at = sort === 'asc' ? windowTo : windowFrom;
      if (sort === 'asc' ? at >= range.hi : at <= range.lo) break;
    }
    return out.slice(0, want);
  }

  /**
   * One window of buckets. Whole-day buckets go through the daily roll-up (closed days
   * materialized, today from minutes); the others roll up minutes.
   */
  private window(
    rule: BucketRule,
    window: {
      symbol: string;
      startsMs: number[];
      fromMs: number;
      toMs: number;
      regularOnly: boolean;
      order: 'asc' | 'desc';
    },
  ): Promise<AggregateBar[]> {
    if (rule.dayAligned)
      return this.repository.rollupDays({
        ...window,
        materializeBeforeMs: DAY_RULE.start(this.now()),
      });
    return this.repository.rollup({ ...window, buckets: bucketsOf(rule, window.startsMs) });
  }
}

const DAY_RULE = bucketRule({ multiplier: 1, unit: 'day' });
/** The shortest day-aligned bucket: a 23-hour day. */
const SHORTEST_DAY_MS = 23 * 3_600_000;

/** Whether `spanMs` surely holds at most `k` buckets of `rule` (false when unsure). */
function fewerBucketsThan(rule: BucketRule, spanMs: number, k: number): boolean {
  const shortest = rule.fixedStepMs ?? (rule.dayAligned ? SHORTEST_DAY_MS : null);
  return shortest !== null && Math.ceil(spanMs / shortest) + 1 <= k;
}

function bucketsOf(rule: BucketRule, starts: number[]): RollupBuckets {
  return rule.fixedStepMs !== null
    ? { kind: 'fixed', stepMs: rule.fixedStepMs }
    : { kind: 'listed', startsMs: starts };
}

function sameQuery(cursor: BarCursor, scope: Omit<BarCursor, 'at'>): boolean {
  return (
    cursor.symbol === scope.symbol &&
    cursor.timeframe === scope.timeframe &&
    cursor.session === scope.session &&
    cursor.sort === scope.sort &&
    cursor.from === scope.from &&
    cursor.to === scope.to
  );
}

function checkTime(value: Date | null | undefined, field: string): number | null {
  if (value === null || value === undefined) return null;
  const ms = value.getTime();
  if (!Number.isFinite(ms) || ms < EARLIEST_MS || ms > LATEST_MS)
    throw new InvalidInputError(`${field} is not a valid time between 1970 and 2200`, field);
  return ms;
}
