import type { DataSource } from 'typeorm';
import { barKey, type ExpectedBar } from './bars-rollup';

/** Every stored bar as exact text (prices) and numbers (volume), keyed like referenceRollup. */
export async function readStoredBars(
  dataSource: DataSource,
): Promise<Map<string, ExpectedBar & { mask: string }>> {
  const rows = await dataSource.query<
    {
      symbol: string;
      ts: string;
      open: string;
      high: string;
      low: string;
      close: string;
      volume: string;
      vwap: string | null;
      mask: string;
    }[]
  >(
    `SELECT symbol, to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts,
            open::text AS open, high::text AS high, low::text AS low, close::text AS close,
            volume::text AS volume, vwap::text AS vwap, seconds_mask::text AS mask
       FROM ohlcv_1min ORDER BY symbol, "timestamp"`,
  );
  const bars = new Map<string, ExpectedBar & { mask: string }>();
  for (const row of rows) {
    bars.set(barKey(row.symbol, row.ts), {
      symbol: row.symbol,
      timestamp: row.ts,
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

/**
 * Compares stored bars with the reference value by value: prices as exact decimal text, volume
 * exactly, VWAP within 1e-5 (the database rounds each merge to 6 decimals). Returns readable
 * mismatch lines (empty = equal), so a failing test shows what differs.
 */
export function diffBars(
  stored: Map<string, ExpectedBar>,
  expected: Map<string, ExpectedBar>,
): string[] {
  const problems: string[] = [];
  for (const [key, want] of expected) {
    const got = stored.get(key);
    if (!got) {
      problems.push(`${key}: missing`);
      continue;
    }
    for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
      if (got[field] !== want[field])
        problems.push(`${key}: ${field} ${got[field]} != ${want[field]}`);
    }
    const vwapOk =
      want.vwap === null
        ? got.vwap === null
        : got.vwap !== null && Math.abs(got.vwap - want.vwap) <= 1e-5;
    if (!vwapOk) problems.push(`${key}: vwap ${got.vwap} != ${want.vwap}`);
  }
  for (const key of stored.keys()) if (!expected.has(key)) problems.push(`${key}: unexpected row`);
  return problems;
}

/** Polls `condition` until it holds or the deadline passes (event-driven waits, no fixed sleeps). */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
