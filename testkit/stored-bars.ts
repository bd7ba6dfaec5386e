import type { DataSource } from 'typeorm';
import { barKey, type OracleBar } from './bar-oracle';

/** A stored bar exactly as PostgreSQL renders it: prices as text, volume and VWAP as numbers. */
export interface StoredBarText {
  symbol: string;
  minuteStartMs: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  vwap: number | null;
  /** seconds_mask as decimal text. */
  mask: string;
}

/** Runs one read-only SQL statement and returns its rows (a DataSource, a pg Client, …). */
export type RowQuery = (sql: string) => Promise<unknown[]>;

interface Row {
  symbol: string;
  ms: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  vwap: string | null;
  mask: string;
}

/**
 * Every row of ohlcv_1min, keyed by barKey(). Values are cast to text in SQL so neither pg nor
 * TypeORM transformers nor PGlite's type parsers touch them: what is compared is what is stored.
 */
export async function readStoredBars(
  source: DataSource | RowQuery,
): Promise<Map<string, StoredBarText>> {
  const query: RowQuery = typeof source === 'function' ? source : (sql) => source.query(sql);
  const rows = (await query(
    `SELECT symbol, (extract(epoch FROM "timestamp") * 1000)::bigint::text AS ms,
            open::text AS open, high::text AS high, low::text AS low, close::text AS close,
            volume::text AS volume, vwap::text AS vwap, seconds_mask::text AS mask
       FROM ohlcv_1min ORDER BY symbol, "timestamp"`,
  )) as Row[];
  const bars = new Map<string, StoredBarText>();
  for (const row of rows) {
    const minuteStartMs = Number(row.ms);
    bars.set(barKey(row.symbol, minuteStartMs), {
      symbol: row.symbol,
      minuteStartMs,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: Number(row.volume),
      vwap: row.vwap === null ? null : Number(row.vwap),
      mask: row.mask,
    });
  }
  return bars;
}

export interface BarComparison {
  /** Expected bars checked (each field by field). */
  compared: number;
  /** Expected bars with at least one differing OHLC/volume field, or missing. */
  mismatches: number;
  missing: number;
  /** Stored rows inside the compared scope that nothing produced. */
  unexpected: number;
  /** Bars whose VWAP differs beyond `vwapTolerance` (counted apart from mismatches). */
  vwapOff: number;
  /** The first `maxExamples` problems, readable; empty exactly when nothing differs. */
  examples: string[];
}

export interface CompareOptions {
  /** Stored rows that must all be expected (default: every row); rows outside are ignored. */
  inScope?: (symbol: string, minuteStartMs: number) => boolean;
  /** Default 1e-4: the database rounds each merge to 6 decimals and REST serves 4. */
  vwapTolerance?: number;
  maxExamples?: number;
}

const at = (symbol: string, minuteStartMs: number) =>
  `${symbol} ${new Date(minuteStartMs).toISOString()}`;

/**
 * Compares stored rows with expected bars value by value: open/high/low/close as exact decimal
 * text (the stored NUMERIC must be the very decimal the feed sent, e.g. "101.2"), volume exactly.
 * VWAP is a derived average, so it is checked within `vwapTolerance` and counted apart.
 */
export function compareBars(
  stored: ReadonlyMap<string, StoredBarText>,
  expected: ReadonlyMap<string, OracleBar>,
  options: CompareOptions = {},
): BarComparison {
  const inScope = options.inScope ?? (() => true);
  const tolerance = options.vwapTolerance ?? 1e-4;
  const maxExamples = options.maxExamples ?? 20;
  const result: BarComparison = {
    compared: 0,
    mismatches: 0,
    missing: 0,
    unexpected: 0,
    vwapOff: 0,
    examples: [],
  };
  const note = (text: string) => {
    if (result.examples.length < maxExamples) result.examples.push(text);
  };
  for (const [key, want] of expected) {
    result.compared++;
    const got = stored.get(key);
    const where = at(want.symbol, want.minuteStartMs);
    if (got === undefined) {
      result.missing++;
      result.mismatches++;
      note(`${where}: missing (expected ${want.seconds} seconds, volume ${want.volume})`);
      continue;
    }
    const diffs: string[] = [];
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      if (got[field] !== String(want[field]))
        diffs.push(`${field} ${got[field]} != ${want[field]}`);
    }
    if (got.volume !== want.volume) diffs.push(`volume ${got.volume} != ${want.volume}`);
    if (diffs.length > 0) {
      result.mismatches++;
      note(`${where}: ${diffs.join(', ')}`);
    }
    const vwapOk =
      want.vwap === null
        ? got.vwap === null
        : got.vwap !== null && Math.abs(got.vwap - want.vwap) <= tolerance;
    if (!vwapOk) {
      result.vwapOff++;
      note(`${where}: vwap ${got.vwap} vs ${want.vwap?.toFixed(6) ?? null}`);
    }
  }
  for (const [key, got] of stored) {
    if (!expected.has(key) && inScope(got.symbol, got.minuteStartMs)) {
      result.unexpected++;
      result.mismatches++;
      note(`${at(got.symbol, got.minuteStartMs)}: unexpected row (volume ${got.volume})`);
    }
  }
  return result;
}

/**
 * Every difference, VWAP included, as readable lines ([] = equal): what a test asserts. VWAP
 * within 1e-5 by default (live data: only the database's 6-decimal rounding per merge).
 */
export function diffBars(
  stored: ReadonlyMap<string, StoredBarText>,
  expected: ReadonlyMap<string, OracleBar>,
  options: CompareOptions = {},
): string[] {
  return compareBars(stored, expected, { vwapTolerance: 1e-5, maxExamples: Infinity, ...options })
    .examples;
}

/**
 * Proves the comparison can fail: one stored bar, compared against itself with its close nudged
 * by one cent and its volume by one share, must be reported as a mismatch (and unchanged, as
 * equal). Guards against a check that silently passes everything (e.g. a key format drift).
 */
export function comparatorSelfCheck(stored: ReadonlyMap<string, StoredBarText>): boolean {
  const first = stored.entries().next();
  if (first.done === true) return false;
  const [key, bar] = first.value;
  const exact: OracleBar = {
    symbol: bar.symbol,
    minuteStartMs: bar.minuteStartMs,
    open: Number(bar.open),
    high: Number(bar.high),
    low: Number(bar.low),
    close: Number(bar.close),
    volume: bar.volume,
    vwap: bar.vwap,
    seconds: 1,
  };
  const only = new Map([[key, bar]]);
  const same = compareBars(only, new Map([[key, exact]]), { vwapTolerance: Infinity });
  const nudged = {
    ...exact,
    close: Math.round((exact.close + 0.01) * 100) / 100,
    volume: exact.volume + 1,
  };
  const differs = compareBars(only, new Map([[key, nudged]]), { vwapTolerance: Infinity });
  return (
    same.mismatches === 0 &&
    differs.mismatches === 1 &&
    differs.examples.some((line) => line.includes('close') && line.includes('volume'))
  );
}
