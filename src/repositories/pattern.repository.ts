import type { DataSource, Repository } from 'typeorm';
import type { PatternEvent, PersistedPatternEvent, StoredPattern } from '../domain/pattern-event';
import { PatternEntity } from '../entities/pattern.entity';
import {
  INSERT_PATTERNS_SQL,
  LATEST_PATTERNS_PER_SYMBOL_SQL,
  PATTERN_COLUMNS,
} from './pattern.sql';
import { RepositoryError } from './repository-error';

/** Already validated filter; null means "any". */
export interface PatternFilter {
  symbol: string | null;
  pattern: string | null;
  since: Date | null;
  limit: number;
}

export class PatternRepositoryError extends RepositoryError {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'PatternRepositoryError';
  }
}

interface PatternRow {
  id: string | number;
  symbol: string;
  pattern: string;
  direction: string;
  confidence: number | string;
  price: string | number;
  price_change: number | string;
  timestamp: Date | string;
  expires_at: Date | string;
  indicators: Record<string, number> | string;
  source: string;
}

function fromRow(row: PatternRow): StoredPattern {
  return {
    id: String(row.id),
    symbol: row.symbol,
    pattern: row.pattern,
    direction: row.direction as StoredPattern['direction'],
    confidence: Number(row.confidence),
    price: Number(row.price),
    priceChange: Number(row.price_change),
    timestamp: new Date(row.timestamp),
    expiresAt: new Date(row.expires_at),
    indicators:
      typeof row.indicators === 'string'
        ? (JSON.parse(row.indicators) as Record<string, number>)
        : row.indicators,
    source: row.source,
  };
}

const keyOf = (symbol: string, pattern: string, timestampMs: number) =>
  `${symbol}\u0000${pattern}\u0000${timestampMs}`;

/**
 * The `patterns` table, for the sink (writes) and the API (reads). Writes are one `unnest`
 * statement per batch (no parameter-count limit, one round trip); reads go newest first.
 * Statements are in pattern.sql.ts, except the filtered read, whose WHERE is built per filter.
 */
export class PatternRepository {
  private readonly table: Repository<PatternEntity>;

  constructor(dataSource: DataSource) {
    this.table = dataSource.getRepository(PatternEntity);
  }

  /**
   * Inserts a batch in one statement; rows whose (symbol, pattern, timestamp) already exist
   * (a re-closed bar, a restart, a duplicate inside the batch) are skipped. Returns the events
   * that were new, each with its id, in input order.
   */
  async insertMany(events: readonly PatternEvent[]): Promise<PersistedPatternEvent[]> {
    if (events.length === 0) return [];
    const columns: unknown[][] = Array.from({ length: 10 }, () => []);
    for (const e of events) {
      columns[0].push(e.symbol);
      columns[1].push(e.pattern);
      columns[2].push(e.direction);
      columns[3].push(e.confidence);
      columns[4].push(String(e.price));
      columns[5].push(e.priceChange);
      columns[6].push(e.timestamp.toISOString());
      columns[7].push(e.expiresAt.toISOString());
      columns[8].push(JSON.stringify(e.indicators));
      columns[9].push(e.source);
    }
    let rows: Array<{
      id: string | number;
      symbol: string;
      pattern: string;
      timestamp: Date | string;
    }>;
    try {
      rows = await this.table.query<typeof rows>(INSERT_PATTERNS_SQL, columns);
    } catch (cause) {
      throw new PatternRepositoryError(`inserting ${events.length} patterns failed`, { cause });
    }
    const ids = new Map<string, string>();
    for (const row of rows)
      ids.set(keyOf(row.symbol, row.pattern, new Date(row.timestamp).getTime()), String(row.id));
    const inserted: PersistedPatternEvent[] = [];
    for (const e of events) {
      const key = keyOf(e.symbol, e.pattern, e.timestamp.getTime());
      const id = ids.get(key);
      if (id === undefined) continue;
      ids.delete(key); // a duplicate later in the same batch was skipped by the database too
      inserted.push({ ...e, id });
    }
    return inserted;
  }

  /** Newest first, at most `limit`, optionally for one symbol / one pattern / since a time. */
  async findRecent(filter: PatternFilter): Promise<StoredPattern[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.symbol !== null) {
      params.push(filter.symbol);
      where.push(`symbol = $${params.length}`);
    }
    if (filter.pattern !== null) {
      params.push(filter.pattern);
      where.push(`pattern = $${params.length}`);
    }
    if (filter.since !== null) {
      params.push(filter.since.toISOString());
      where.push(`timestamp >= $${params.length}`);
    }
    params.push(filter.limit);
    const sql =
      `SELECT ${PATTERN_COLUMNS} FROM patterns` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY timestamp DESC, id DESC LIMIT $${params.length}`;
    try {
      return (await this.table.query<PatternRow[]>(sql, params)).map(fromRow);
    } catch (cause) {
      throw new PatternRepositoryError('querying patterns failed', { cause });
    }
  }

  /**
   * The newest `limit` patterns of each symbol, in one statement (for the Symbol.patterns
   * DataLoader): a LATERAL top-N per symbol. Every requested symbol has an entry (maybe empty), each newest first.
   */
  async findLatestPerSymbol(
    symbols: readonly string[],
    limit: number,
  ): Promise<Map<string, StoredPattern[]>> {
    const bySymbol = new Map<string, StoredPattern[]>(symbols.map((s) => [s, []]));
    if (symbols.length === 0) return bySymbol;
    let rows: PatternRow[];
    try {
      rows = await this.table.query<PatternRow[]>(LATEST_PATTERNS_PER_SYMBOL_SQL, [
        [...new Set(symbols)],
        limit,
      ]);
    } catch (cause) {
      throw new PatternRepositoryError(`querying patterns of ${symbols.length} symbols failed`, {
        cause,
      });
    }
    for (const row of rows) bySymbol.get(row.symbol)?.push(fromRow(row));
    return bySymbol;
  }
}
