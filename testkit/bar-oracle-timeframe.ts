import type { Timeframe, TradingSession } from '../src/domain/timeframe';
import type { OracleBar } from './bar-oracle';

/**
 * The oracle's own roll-up of minute bars into any timeframe, written from the definition
 * alone and sharing no code with src/ (types only): a bucket is the set of instants whose New
 * York wall-clock reading maps to the same key (same day and hour-slot, same ISO-ish Monday
 * week, same month…), its start is the earliest such instant (found by walking back minute by
 * minute, so DST needs no special case), and its bar is the fold of its minutes in time order.
 */

export interface OracleTimeframeBar {
  symbol: string;
  startMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  minutes: number;
}

const wallFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  timeZoneName: 'shortOffset',
});

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** e.g. 'GMT-5': tells the two copies of a fall-back hour apart. */
  zone: string;
}

const wallCache = new Map<number, Wall>();
function wallOf(ms: number): Wall {
  const cached = wallCache.get(ms);
  if (cached) return cached;
  const parts = Object.fromEntries(
    wallFormat.formatToParts(new Date(ms)).map((p) => [p.type, p.value]),
  );
  const wall = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    zone: parts.timeZoneName,
  };
  if (wallCache.size > 2_000_000) wallCache.clear();
  wallCache.set(ms, wall);
  return wall;
}

/** Days since 1970-01-01 of a civil date. */
function civilDay(wall: Wall): number {
  return Math.round(Date.UTC(wall.year, wall.month - 1, wall.day) / 86_400_000);
}

/** The bucket key of an instant: equal keys ⇔ same bucket. */
export function oracleBucketKey(ms: number, timeframe: Timeframe): string {
  const wall = wallOf(ms);
  const n = timeframe.multiplier;
  const minutes = timeframe.unit === 'hour' ? n * 60 : timeframe.unit === 'minute' ? n : 0;
  if (minutes > 0 && minutes <= 60)
    return `${civilDay(wall)} ${wall.hour} ${Math.floor(wall.minute / minutes)} ${wall.zone}`;
  if (minutes > 60) return `${civilDay(wall)} ${Math.floor(wall.hour / (minutes / 60))}`;
  if (timeframe.unit === 'day') return `${Math.floor(civilDay(wall) / n)}`;
  // 1970-01-05 (day 4) was a Monday.
  if (timeframe.unit === 'week') return `${Math.floor((civilDay(wall) - 4) / (7 * n))}`;
  return `${Math.floor((wall.year * 12 + wall.month - 1) / n)}`;
}

const startCache = new Map<string, number>();
/** The earliest instant (on a whole minute) whose key equals that of `ms`. */
export function oracleBucketStart(ms: number, timeframe: Timeframe): number {
  const key = oracleBucketKey(ms, timeframe);
  const cacheKey = `${timeframe.multiplier}/${timeframe.unit}|${key}`;
  const cached = startCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let t = ms - (ms % 60_000);
  while (oracleBucketKey(t - 3_600_000, timeframe) === key) t -= 3_600_000;
  while (oracleBucketKey(t - 60_000, timeframe) === key) t -= 60_000;
  startCache.set(cacheKey, t);
  return t;
}

export function oracleRegularSession(ms: number): boolean {
  const wall = wallOf(ms);
  const minuteOfDay = wall.hour * 60 + wall.minute;
  return minuteOfDay >= 9 * 60 + 30 && minuteOfDay < 16 * 60;
}

/**
 * Every non-empty bar of `timeframe` of one symbol from its minute bars, oldest first.
 * vwap: Σ(vwap·volume)/Σvolume over the minutes carrying one.
 */
export function rollUpTimeframe(
  minutes: Iterable<OracleBar>,
  symbol: string,
  timeframe: Timeframe,
  session: TradingSession = 'ALL',
): OracleTimeframeBar[] {
  const sorted = [...minutes]
    .filter((bar) => bar.symbol === symbol)
    .filter((bar) => session === 'ALL' || oracleRegularSession(bar.minuteStartMs))
    .sort((a, b) => a.minuteStartMs - b.minuteStartMs);
  const out: OracleTimeframeBar[] = [];
  let notional = 0;
  let vwapVolume = 0;
  for (const bar of sorted) {
    const startMs = oracleBucketStart(bar.minuteStartMs, timeframe);
    let current = out.at(-1);
    if (current === undefined || current.startMs !== startMs) {
      if (current !== undefined) current.vwap = vwapVolume > 0 ? notional / vwapVolume : null;
      current = {
        symbol,
        startMs,
        open: bar.open,
        high: bar.high,
        low: bar.low,
        close: bar.close,
        volume: 0,
        vwap: null,
        minutes: 0,
      };
      out.push(current);
      notional = 0;
      vwapVolume = 0;
    }
    current.high = Math.max(current.high, bar.high);
    current.low = Math.min(current.low, bar.low);
    current.close = bar.close;
    current.volume += bar.volume;
    current.minutes++;
    if (bar.vwap !== null) {
      notional += bar.vwap * bar.volume;
      vwapVolume += bar.volume;
    }
  }
  const last = out.at(-1);
  if (last !== undefined) last.vwap = vwapVolume > 0 ? notional / vwapVolume : null;
  return out;
}
