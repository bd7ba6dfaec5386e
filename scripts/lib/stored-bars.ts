import { barKey, type ExpectedBar } from './sim-rollup';

/** A stored bar exactly as PostgreSQL renders it: prices and volume as text. */
export interface StoredBarText {
  symbol: string;
  minuteStartMs: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  vwap: string | null;
}

/** Runs one read-only SQL statement and returns its rows (a DataSource, a pg Client, …). */
export type RowQuery = (sql: string) => Promise<unknown[]>;

interface Row {
  symbol: string;
  ms: string | number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string | number;
  vwap: string | null;
}

/**
 * Every row of ohlcv_1min, keyed by barKey(). Values are cast to text in SQL so neither pg nor
 * TypeORM transformers nor PGlite's type parsers touch them: what is compared is what is stored.
 */
export async function readStoredBars(query: RowQuery): Promise<Map<string, StoredBarText>> {
  const rows = (await query(
    `SELECT symbol, (extract(epoch FROM "timestamp") * 1000)::bigint::text AS ms,
            open::text AS open, high::text AS high, low::text AS low, close::text AS close,
            volume::text AS volume, vwap::text AS vwap
       FROM ohlcv_1min`,
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
      volume: String(row.volume),
      vwap: row.vwap,
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
  /** Bars whose VWAP differs beyond `vwapTolerance` (reported, see compareBars). */
  vwapOff: number;
  /** The first few problems, readable. */
  examples: string[];
}

/**
 * Compares stored rows with expected bars value by value: open/high/low/close as exact decimal
 * text (the stored NUMERIC must be the very decimal the feed sent, e.g. "101.2"), volume as exact
 * integer text. VWAP is a derived average the database rounds at each merge (6 decimals) and REST
 * serves at 4, so it is checked within `vwapTolerance` and counted separately. `inScope` selects
 * the stored rows that must all be expected (rows outside it, e.g. a partial first minute, are
 * ignored).
 */
export function compareBars(
  stored: ReadonlyMap<string, StoredBarText>,
  expected: ReadonlyMap<string, ExpectedBar>,
  options: {
    inScope: (symbol: string, minuteStartMs: number) => boolean;
    vwapTolerance?: number;
    maxExamples?: number;
  },
): BarComparison {
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
    const at = `${want.symbol} ${new Date(want.minuteStartMs).toISOString()}`;
    if (got === undefined) {
      result.missing++;
      result.mismatches++;
      note(`${at}: missing (expected ${want.seconds} seconds, volume ${want.volume})`);
      continue;
    }
    const diffs: string[] = [];
    for (const field of ['open', 'high', 'low', 'close'] as const) {
      if (got[field] !== String(want[field]))
        diffs.push(`${field} ${got[field]} != ${want[field]}`);
    }
    if (got.volume !== String(want.volume)) diffs.push(`volume ${got.volume} != ${want.volume}`);
    if (diffs.length > 0) {
      result.mismatches++;
      note(`${at}: ${diffs.join(', ')}`);
    }
    if (got.vwap === null || Math.abs(Number(got.vwap) - want.vwap) > tolerance) {
      result.vwapOff++;
      note(`${at}: vwap ${got.vwap} vs ${want.vwap.toFixed(6)}`);
    }
  }
  for (const [key, got] of stored) {
    if (!expected.has(key) && options.inScope(got.symbol, got.minuteStartMs)) {
      result.unexpected++;
      result.mismatches++;
      note(
        `${got.symbol} ${new Date(got.minuteStartMs).toISOString()}: unexpected row (volume ${got.volume})`,
      );
    }
  }
  return result;
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
  const exact: ExpectedBar = {
    symbol: bar.symbol,
    minuteStartMs: bar.minuteStartMs,
    open: Number(bar.open),
    high: Number(bar.high),
    low: Number(bar.low),
    close: Number(bar.close),
    volume: Number(bar.volume),
    vwap: bar.vwap === null ? 0 : Number(bar.vwap),
    seconds: 1,
  };
  const only = new Map([[key, bar]]);
  const inScope = () => true;
  const same = compareBars(only, new Map([[key, exact]]), { inScope, vwapTolerance: Infinity });
  const nudged = {
    ...exact,
    close: Math.round((exact.close + 0.01) * 100) / 100,
    volume: exact.volume + 1,
  };
  const differs = compareBars(only, new Map([[key, nudged]]), { inScope, vwapTolerance: Infinity });
  return (
    same.mismatches === 0 &&
    differs.mismatches === 1 &&
    differs.examples.some((line) => line.includes('close') && line.includes('volume'))
  );
}
