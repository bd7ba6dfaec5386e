import type { DataSource, Repository } from 'typeorm';
import { toStoredBar, type StoredBarRow } from './stored-bar-row';
import { OhlcvMinuteEntity } from '../entities/ohlcv-minute.entity';
import type { StoredBar } from '../domain/stored-bar';
import type { BarDelta, BarKey, StoredBarState, UpsertDeltasResult } from '../domain/bar-delta';
import type { MinuteBar } from '../domain/minute-bar';
import type { WriteFailure } from '../domain/write-failure';
import { HALF_MASK, maskFromText, maskToText } from '../domain/seconds-mask';
import { decimalText } from '../domain/tick';
import {
  DELETE_OFF_MINUTE_ROWS_SQL,
  LATEST_ALL_SQL,
  OFF_MINUTE_PAGE_SQL,
  OFF_MINUTE_TOTALS_SQL,
  LATEST_SOME_SQL,
  PARTIAL_OVERLAP_SQL,
  READ_STATES_SQL,
  REPLACE_SQL,
  UPSERT_DELTAS_SQL,
} from './ohlcv.sql';
import { SymbolRepository } from './symbol.repository';

/**
 * A bar write failed; `sqlState` is PostgreSQL's error code when the server gave one. Permanent
 * (see WriteFailure) for the classes a retry cannot fix: cardinality (21), data (22) and
 * integrity (23) violations, except a foreign-key violation, which this repository repairs by
 * re-registering symbols.
 */
export class OhlcvWriteError extends Error implements WriteFailure {
  readonly sqlState: string | undefined;
  readonly permanent: boolean;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'OhlcvWriteError';
    this.sqlState = sqlStateOf(options.cause);
    this.permanent =
      this.sqlState !== undefined &&
      this.sqlState !== FOREIGN_KEY_VIOLATION &&
      /^(21|22|23)/.test(this.sqlState);
  }
}

/** The SQLSTATE of a pg / PGlite / TypeORM error, if any. */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 4;
    depth++
  ) {
    const record = e as {
      code?: unknown;
      sqlState?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof record.sqlState === 'string') return record.sqlState;
    if (typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code)) return record.code;
    e = record.driverError ?? record.cause;
  }
  return undefined;
}

/** The off-minute legacy rows of one symbol-minute. */
export interface OffMinuteGroup {
  symbol: string;
  minuteStartMs: number;
  rowTimestampsMs: number[];
}

/** Beyond this a replace is split into several statements, to bound one statement's memory. */
const REPLACE_CHUNK = 5_000;
const FOREIGN_KEY_VIOLATION = '23503';

const keyOf = (symbol: string, ms: number) => `${symbol}\u0000${ms}`;

/** One array per column, in COLUMNS order, for the unnest statement. */
function columnParams(rows: readonly BarDelta[]): unknown[] {
  const n = rows.length;
  const symbol = new Array<string>(n);
  const timestamp = new Array<string>(n);
  const open = new Array<string>(n);
  const high = new Array<string>(n);
  const low = new Array<string>(n);
  const close = new Array<string>(n);
  const volume = new Array<string>(n);
  const vwap = new Array<string | null>(n);
  const openSecond = new Array<number>(n);
  const closeSecond = new Array<number>(n);
  const mask = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const d = rows[i];
    symbol[i] = d.symbol;
    timestamp[i] = new Date(d.minuteStartMs).toISOString();
    open[i] = decimalText(d.open);
    high[i] = decimalText(d.high);
    low[i] = decimalText(d.low);
    close[i] = decimalText(d.close);
    volume[i] = String(d.volume);
    vwap[i] = d.vwap === null ? null : decimalText(d.vwap);
    openSecond[i] = d.openSecond;
    closeSecond[i] = d.closeSecond;
    mask[i] = maskToText(d.maskLo, d.maskHi);
  }
  return [symbol, timestamp, open, high, low, close, volume, vwap, openSecond, closeSecond, mask];
}

/** A whole minute as a delta covering all sixty seconds. */
function wholeMinute(bar: MinuteBar): BarDelta {
  return { ...bar, openSecond: 0, closeSecond: 59, maskLo: HALF_MASK, maskHi: HALF_MASK };
}

/**
 * The `ohlcv_1min` write side: set-based writes (one `INSERT … SELECT FROM unnest(…)` per
 * batch, no per-row parameters, so no 65,535-parameter limit) that carry the exactly-once merge
 * semantics `repository.upsert()` cannot express, plus the reads the writer and restart need.
 */
export class OhlcvRepository {
  private readonly table: Repository<OhlcvMinuteEntity>;

  constructor(
    dataSource: DataSource,
    private readonly symbols: SymbolRepository = new SymbolRepository(dataSource),
  ) {
    this.table = dataSource.getRepository(OhlcvMinuteEntity);
  }

  /**
   * Merges deltas (unique (symbol, minute) keys within a batch) into the stored bars, after
   * registering unknown symbols. Re-sending a batch, or any delta whose seconds the database
   * already counted, is a no-op for that delta. Throws OhlcvWriteError.
   */
  async upsertDeltas(deltas: readonly BarDelta[]): Promise<UpsertDeltasResult> {
    if (deltas.length === 0) return { stored: [], ignored: 0, conflicts: 0 };
    const params = columnParams(deltas);
    const symbolList = deltas.map((d) => d.symbol);
    let rows: StoredBarRow[];
    try {
      await this.symbols.ensureRegistered(symbolList);
      rows = await this.table.query<StoredBarRow[]>(UPSERT_DELTAS_SQL, params);
    } catch (error) {
      if (sqlStateOf(error) !== FOREIGN_KEY_VIOLATION) {
        throw new OhlcvWriteError(`upserting ${deltas.length} bar deltas failed`, {
          cause: error,
        });
      }
      // A symbol row we believed registered is gone (table truncated, database recreated):
      // forget the cache and register again, once.
      this.symbols.forgetKnown();
      try {
        await this.symbols.ensureRegistered(symbolList);
        rows = await this.table.query<StoredBarRow[]>(UPSERT_DELTAS_SQL, params);
      } catch (retryError) {
        throw new OhlcvWriteError(`upserting ${deltas.length} bar deltas failed`, {
          cause: retryError,
        });
      }
    }
    const stored = rows.map(toStoredBar);
    const ignored = deltas.length - stored.length;
    const conflicts = ignored > 0 ? await this.countPartialOverlaps(deltas, stored) : 0;
    return { stored, ignored, conflicts };
  }

  /**
   * Writes authoritative whole minutes (REST backfill): each row is overwritten and all 60
   * seconds are marked counted, so live deltas for those minutes arriving later are ignored and
   * nothing is counted twice. Idempotent. Pass only minutes that have ended. Returns the stored
   * rows. Duplicate keys in the input: the last one wins.
   */
  async replaceMinuteBars(bars: readonly MinuteBar[]): Promise<StoredBar[]> {
    const unique = new Map<string, MinuteBar>();
    for (const bar of bars) unique.set(keyOf(bar.symbol, bar.minuteStartMs), bar);
    const all = [...unique.values()];
    const stored: StoredBar[] = [];
    try {
      await this.symbols.ensureRegistered(all.map((bar) => bar.symbol));
      for (let i = 0; i < all.length; i += REPLACE_CHUNK) {
        const chunk = all.slice(i, i + REPLACE_CHUNK).map(wholeMinute);
        const rows = await this.table.query<StoredBarRow[]>(REPLACE_SQL, columnParams(chunk));
        for (const row of rows) stored.push(toStoredBar(row));
      }
    } catch (error) {
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) this.symbols.forgetKnown();
      throw new OhlcvWriteError(`replacing ${all.length} minute bars failed`, { cause: error });
    }
    return stored;
  }

  /** The stored rows (those that exist) of the given bars, with their seconds masks. */
  async readBarStates(keys: readonly BarKey[]): Promise<StoredBarState[]> {
    if (keys.length === 0) return [];
    type Row = StoredBarRow & { open_second: number; close_second: number; mask: string };
    let rows: Row[];
    try {
      rows = await this.table.query<Row[]>(READ_STATES_SQL, [
        keys.map((k) => k.symbol),
        keys.map((k) => new Date(k.minuteStartMs).toISOString()),
      ]);
    } catch (error) {
      throw new OhlcvWriteError(`reading ${keys.length} stored bars failed`, { cause: error });
    }
    return rows.map((row) => {
      const bar = toStoredBar(row);
      const { lo, hi } = maskFromText(row.mask);
      return {
        symbol: bar.symbol,
        minuteStartMs: bar.timestamp.getTime(),
        open: Number(bar.open),
        openSecond: Number(row.open_second),
        high: Number(bar.high),
        low: Number(bar.low),
        close: Number(bar.close),
        closeSecond: Number(row.close_second),
        volume: bar.volume,
        vwap: bar.vwap === null ? null : Number(bar.vwap),
        maskLo: lo,
        maskHi: hi,
      };
    });
  }

  /**
   * Newest stored minute start (Unix ms) per symbol, for restart gap detection; symbols
   * without bars are absent. Limit to `onlySymbols` when given.
   */
  async latestMinutePerSymbol(onlySymbols?: readonly string[]): Promise<Map<string, number>> {
    type Row = { symbol: string; latest: Date | string | null };
    const rows =
      onlySymbols === undefined
        ? await this.table.query<Row[]>(LATEST_ALL_SQL)
        : await this.table.query<Row[]>(LATEST_SOME_SQL, [[...onlySymbols]]);
    const latest = new Map<string, number>();
    for (const row of rows) {
      if (row.latest === null) continue;
      latest.set(
        row.symbol,
        (row.latest instanceof Date ? row.latest : new Date(row.latest)).getTime(),
      );
    }
    return latest;
  }

  /** How many legacy rows are not on a minute boundary, in how many (symbol, minute) pairs. */
  async offMinuteTotals(): Promise<{ rows: number; minutes: number; symbols: number }> {
    const [row] =
      await this.table.query<{ rows: string; minutes: string; symbols: string }[]>(
        OFF_MINUTE_TOTALS_SQL,
      );
    return { rows: Number(row.rows), minutes: Number(row.minutes), symbols: Number(row.symbols) };
  }

  /**
   * Up to `limit` (symbol, minute) pairs holding off-minute legacy rows, in (symbol, minute)
   * order after `after` (keyset pagination), each with the exact timestamps of its rows.
   */
  async offMinutePage(after: BarKey | null, limit: number): Promise<OffMinuteGroup[]> {
    const rows = await this.table.query<{ symbol: string; minute: string; rows: string }[]>(
      OFF_MINUTE_PAGE_SQL,
      [
        after?.symbol ?? null,
        after === null ? null : new Date(after.minuteStartMs).toISOString(),
        limit,
      ],
    );
    return rows.map((row) => ({
      symbol: row.symbol,
      minuteStartMs: Number(row.minute),
      rowTimestampsMs: row.rows.split(',').map(Number),
    }));
  }

  /**
   * In one transaction: deletes the given off-minute rows of `symbol` and writes `bars` (REST
   * minutes) authoritatively, as replaceMinuteBars does. Committed per call, so an interrupted
   * repair keeps what it finished; a repeated call finds nothing left to delete.
   */
  async replaceOffMinuteRows(
    symbol: string,
    rowTimestampsMs: readonly number[],
    bars: readonly MinuteBar[],
  ): Promise<{ deleted: number; written: number }> {
    try {
      return await this.table.manager.transaction(async (manager) => {
        // TypeORM answers a DELETE with [rows, affected count].
        const result = await manager.query<[unknown[], number]>(DELETE_OFF_MINUTE_ROWS_SQL, [
          symbol,
          rowTimestampsMs.map((ms) => new Date(ms).toISOString()),
        ]);
        const deleted = Number(result[1] ?? 0);
        const rows =
          bars.length === 0
            ? []
            : await manager.query<StoredBarRow[]>(REPLACE_SQL, columnParams(bars.map(wholeMinute)));
        return { deleted, written: rows.length };
      });
    } catch (error) {
      throw new OhlcvWriteError(`replacing off-minute rows of ${symbol} failed`, { cause: error });
    }
  }

  /** Counts refused deltas that were not fully covered by the stored row (see UpsertDeltasResult). */
  private async countPartialOverlaps(
    deltas: readonly BarDelta[],
    stored: readonly StoredBar[],
  ): Promise<number | null> {
    const written = new Set(stored.map((bar) => keyOf(bar.symbol, bar.timestamp.getTime())));
    const refused = deltas.filter((d) => !written.has(keyOf(d.symbol, d.minuteStartMs)));
    if (refused.length === 0) return 0;
    try {
      const rows = await this.table.query<{ conflicts: number }[]>(PARTIAL_OVERLAP_SQL, [
        refused.map((d) => d.symbol),
        refused.map((d) => new Date(d.minuteStartMs).toISOString()),
        refused.map((d) => maskToText(d.maskLo, d.maskHi)),
      ]);
      return Number(rows[0]?.conflicts ?? 0);
    } catch {
      // Diagnostics only: the batch itself is written and must not be retried for this.
      return null;
    }
  }
}

/** The repository over `dataSource` (what the ingest harnesses and benches call). */
export function createOhlcvRepository(
  dataSource: DataSource,
  symbols?: SymbolRepository,
): OhlcvRepository {
  return new OhlcvRepository(dataSource, symbols);
}
