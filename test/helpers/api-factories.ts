import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import type { StoredBar } from '../../src/domain/stored-bar';

/** A bar row to seed: a stored bar, prices as exact decimal text (what NUMERIC stores). */
export type BarSeed = StoredBar;

/** A random, valid, test-unique ticker like `TQXKJ` (SYMBOL_PATTERN-safe). */
export function randomSymbol(prefix = 'T'): string {
  const letters = [...randomBytes(6)].map((byte) => String.fromCharCode(65 + (byte % 26))).join('');
  return `${prefix}${letters}`.slice(0, 10);
}

/** Minute-aligned time `minutesAgo` minutes before the current minute. */
export function minuteAgo(minutesAgo: number, nowMs = Date.now()): Date {
  return new Date(Math.floor(nowMs / 60_000) * 60_000 - minutesAgo * 60_000);
}

/**
 * `count` consecutive minute bars ending at the current minute (oldest first): a deterministic
 * walk with 4-decimal prices, consistent OHLC (low <= open/close <= high).
 */
export function barSeries(
  symbol: string,
  count: number,
  options: { seed?: number; endMinutesAgo?: number; basePrice?: number } = {},
): BarSeed[] {
  let state = options.seed ?? 7;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  let price = options.basePrice ?? 100;
  const bars: BarSeed[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const open = price;
    const close = Math.max(0.01, open + (next() - 0.5) * 2);
    const high = Math.max(open, close) + next();
    const low = Math.max(0.0001, Math.min(open, close) - next());
    price = close;
    const text = (value: number) => value.toFixed(4);
    bars.push({
      symbol,
      timestamp: minuteAgo(i + (options.endMinutesAgo ?? 0)),
      open: text(open),
      high: text(high),
      low: text(low),
      close: text(close),
      volume: Math.floor(next() * 1_000_000),
      vwap: text((open + close) / 2),
    });
  }
  return bars;
}

export async function insertSymbols(
  dataSource: DataSource,
  symbols: { symbol: string; name?: string | null }[],
): Promise<void> {
  if (symbols.length === 0) return;
  const values = symbols.map((_, i) => `($${i * 2 + 1}, $${i * 2 + 2})`).join(', ');
  await dataSource.query(
    `INSERT INTO symbols (symbol, name) VALUES ${values} ON CONFLICT (symbol) DO NOTHING`,
    symbols.flatMap((s) => [s.symbol, s.name ?? null]),
  );
}

/** Plain SQL inserts (registering the symbols first), 4,000 rows per statement. */
export async function insertBars(dataSource: DataSource, bars: BarSeed[]): Promise<void> {
  await insertSymbols(
    dataSource,
    [...new Set(bars.map((bar) => bar.symbol))].map((symbol) => ({ symbol })),
  );
  for (let start = 0; start < bars.length; start += 4000) {
    const chunk = bars.slice(start, start + 4000);
    const values = chunk
      .map((_, i) => `(${Array.from({ length: 8 }, (__, c) => `$${i * 8 + c + 1}`).join(', ')})`)
      .join(', ');
    await dataSource.query(
      `INSERT INTO ohlcv_1min (symbol, "timestamp", open, high, low, close, volume, vwap) VALUES ${values}`,
      chunk.flatMap((bar) => [
        bar.symbol,
        bar.timestamp,
        bar.open,
        bar.high,
        bar.low,
        bar.close,
        bar.volume,
        bar.vwap,
      ]),
    );
  }
}

export async function countRows(
  dataSource: DataSource,
  table: 'symbols' | 'ohlcv_1min',
): Promise<number> {
  const rows = await dataSource.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** A complete, plausible status snapshot; override what a test looks at. */
export function makeStatusSnapshot(
  overrides: Partial<IngestStatusSnapshot> = {},
): IngestStatusSnapshot {
  return {
    startedAt: '2025-01-02T14:30:00.000Z',
    uptimeSeconds: 123.5,
    feed: 'simulator',
    database: 'pglite',
    ingest: {
      framesReceived: 10,
      ticksReceived: 3_000_000_000,
      ticksProcessed: 2_999_999_990,
      ticksRejected: 10,
      rejectedByReason: { malformed_json: 4, bad_symbol: 6 },
      lastTickAt: '2025-01-02T14:32:00.000Z',
      lagMs: 42,
    },
    connections: [
      {
        id: 1,
        state: 'live',
        symbolCount: 25,
        connectedSince: '2025-01-02T14:30:01.000Z',
        lastMessageAgeMs: 120,
        messagesReceived: 99,
        reconnects: 2,
        lastDisconnectReason: 'idle timeout',
        lastError: null,
        fatalError: null,
      },
      {
        id: 2,
        state: 'backoff',
        symbolCount: 25,
        connectedSince: null,
        lastMessageAgeMs: null,
        messagesReceived: 0,
        reconnects: 5,
        lastDisconnectReason: null,
        lastError: 'ECONNREFUSED',
        fatalError: null,
      },
    ],
    writer: {
      barsWritten: 500,
      flushes: 20,
      flushFailures: 1,
      flushLatencyMs: { p50: 3.5, p99: 12.25 },
      backlog: 7,
      duplicatesIgnored: 3,
      lastFlushAt: '2025-01-02T14:32:00.250Z',
      lastError: null,
    },
    backfill: {
      runs: 1,
      requests: 4,
      minutesFilled: 12,
      failures: 0,
      lastRunAt: null,
      lastError: null,
    },
    corrections: { applied: 5, deferred: 1, identical: 2, barsInMemory: 40 },
    reconcile: {
      scheduled: { restart: 1, evicted: 0, conflict: 0, 'gap-fill': 12, reconcile: 0 },
      pending: 3,
      requests: 2,
      failures: 0,
      minutesChecked: 10,
      minutesReplaced: 2,
      volumeDrift: 350,
      missingInRest: 0,
      lastError: null,
    },
    patterns: {
      detectedByPattern: { Doji: 3, Hammer: 1 },
      persisted: 4,
      published: 0,
      publishFailures: 0,
      queueDepth: 0,
      dropped: 0,
    },
    ...overrides,
  };
}
