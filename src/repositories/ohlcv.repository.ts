import type { DataSource, Repository } from 'typeorm';
import { toStoredBar, type StoredBarRow } from './stored-bar-row';
import { OhlcvMinuteEntity } from '../entities/ohlcv-minute.entity';
import type { StoredBar } from '../domain/stored-bar';
import type {
  BarDelta,
  BarKey,
  RestWriteMode,
  StoredBarState,
  UpsertDeltasResult,
} from '../domain/bar-delta';
import type { MinuteBar } from '../domain/minute-bar';
import { maskFromText, maskToText } from '../domain/seconds-mask';
import {
  LATEST_ALL_SQL,
  LATEST_SOME_SQL,
  READ_RANGE_SQL,
  READ_STATES_SQL,
  REFUSED_KEYS_SQL,
  REST_FINAL_SQL,
  REST_PROMPT_SQL,
  REWRITE_SQL,
  SYMBOLS_WITH_MINUTES_SQL,
  UPSERT_DELTAS_SQL,
} from './ohlcv.sql';
import { SymbolRepository } from './symbol.repository';
import {
  columnParams,
  FOREIGN_KEY_VIOLATION,
  keyOf,
  OhlcvWriteError,
  REPLACE_CHUNK,
  sqlStateOf,
  wholeMinute,
} from './ohlcv-columns';

export { OhlcvWriteError, sqlStateOf } from './ohlcv-columns';

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
    if (deltas.length === 0) return { stored: [], ignored: 0, conflicts: 0, refused: [] };
    const merges = deltas.filter((d) => d.replace !== true);
    const rewrites = deltas.filter((d) => d.replace === true);
    const symbolList = deltas.map((d) => d.symbol);
    const stored: StoredBar[] = [];
    const write = async () => {
      await this.symbols.ensureRegistered(symbolList);
      if (merges.length > 0) await this.run(UPSERT_DELTAS_SQL, merges, stored);
      if (rewrites.length > 0) await this.run(REWRITE_SQL, rewrites, stored);
    };
    try {
      await write();
    } catch (error) {
      if (sqlStateOf(error) !== FOREIGN_KEY_VIOLATION) {
        throw new OhlcvWriteError(`upserting ${deltas.length} bar deltas failed`, {
          cause: error,
        });
      }
      // A symbol row we believed registered is gone (table truncated, database recreated):
      // forget the cache and register again, once. Writes already applied are no-ops now.
      this.symbols.forgetKnown();
      stored.length = 0;
      try {
        await write();
      } catch (retryError) {
        throw new OhlcvWriteError(`upserting ${deltas.length} bar deltas failed`, {
          cause: retryError,
        });
      }
    }
    const ignored = deltas.length - stored.length;
    const refused = ignored > 0 ? await this.refusedKeys(deltas, stored) : [];
    return { stored, ignored, conflicts: refused?.length ?? null, refused: refused ?? [] };
  }

  /**
   * Writes REST minutes through the serialised path (see RestWriteMode): all 60 seconds are
   * marked counted, so live seconds for those minutes arriving later are refused (and re-checked)
   * rather than counted twice. Idempotent. Pass only minutes that have ended. Returns the rows
   * changed. Duplicate keys in the input: the last one wins.
   */
  async writeRestBars(bars: readonly MinuteBar[], mode: RestWriteMode): Promise<StoredBar[]> {
    const unique = new Map<string, MinuteBar>();
    for (const bar of bars) unique.set(keyOf(bar.symbol, bar.minuteStartMs), bar);
    const all = [...unique.values()];
    const stored: StoredBar[] = [];
    const sql = mode === 'final' ? REST_FINAL_SQL : REST_PROMPT_SQL;
    try {
      await this.symbols.ensureRegistered(all.map((bar) => bar.symbol));
      for (let i = 0; i < all.length; i += REPLACE_CHUNK)
        await this.run(sql, all.slice(i, i + REPLACE_CHUNK).map(wholeMinute), stored);
    } catch (error) {
      if (sqlStateOf(error) === FOREIGN_KEY_VIOLATION) this.symbols.forgetKnown();
      throw new OhlcvWriteError(`writing ${all.length} REST minute bars failed`, { cause: error });
    }
    return stored;
  }

  /** REST backfill of whole minutes, final (see writeRestBars). */
  replaceMinuteBars(bars: readonly MinuteBar[]): Promise<StoredBar[]> {
    return this.writeRestBars(bars, 'final');
  }

  /** Stored minutes of one symbol in [fromMs, toMs] (minute starts), oldest first. */
  async readBarRange(symbol: string, fromMs: number, toMs: number): Promise<StoredBar[]> {
    try {
      const rows = await this.table.query<StoredBarRow[]>(READ_RANGE_SQL, [
        symbol,
        new Date(fromMs).toISOString(),
        new Date(toMs).toISOString(),
      ]);
      return rows.map(toStoredBar);
    } catch (error) {
      throw new OhlcvWriteError(`reading stored minutes of ${symbol} failed`, { cause: error });
    }
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

  /** Of `symbols`, those with any stored minute in [fromMs, toMs). */
  async symbolsWithMinutes(
    symbols: readonly string[],
    fromMs: number,
    toMs: number,
  ): Promise<string[]> {
    const rows = await this.table.query<{ symbol: string }[]>(SYMBOLS_WITH_MINUTES_SQL, [
      [...symbols],
      new Date(fromMs).toISOString(),
      new Date(toMs).toISOString(),
    ]);
    return rows.map((row) => row.symbol);
  }

  private async run(sql: string, rows: readonly BarDelta[], into: StoredBar[]): Promise<void> {
    const result = await this.table.query<StoredBarRow[]>(sql, columnParams(rows));
    for (const row of result) into.push(toStoredBar(row));
  }

  /** The refused writes whose data is not in the stored row (see UpsertDeltasResult.refused). */
  private async refusedKeys(
    deltas: readonly BarDelta[],
    stored: readonly StoredBar[],
  ): Promise<BarKey[] | null> {
    const written = new Set(stored.map((bar) => keyOf(bar.symbol, bar.timestamp.getTime())));
    const refused = deltas.filter((d) => !written.has(keyOf(d.symbol, d.minuteStartMs)));
    if (refused.length === 0) return [];
    try {
      const rows = await this.table.query<{ symbol: string; minute_ms: number | string }[]>(
        REFUSED_KEYS_SQL,
        [
          refused.map((d) => d.symbol),
          refused.map((d) => new Date(d.minuteStartMs).toISOString()),
          refused.map((d) => maskToText(d.maskLo, d.maskHi)),
          refused.map((d) => d.replace === true),
        ],
      );
      return rows.map((row) => ({ symbol: row.symbol, minuteStartMs: Number(row.minute_ms) }));
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
