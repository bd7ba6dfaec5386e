import type { PatternEvent, StoredPattern } from '../domain/pattern-event';
import type { AppEvents } from '../events/app-events';
import { PATTERN_NAMES, type PatternName } from '../patterns/pattern-catalog';
import type { PatternRepository } from '../repositories/pattern.repository';
import { ALL_SYMBOLS_SCOPE } from './cache/commit-generations';
import type { ReadCache } from './cache/read-cache';
import { InvalidInputError, readThrough } from './domain-errors';
import { checkLimit, DEFAULT_LIMIT, sinceChecker, type SinceOptions } from './query-input';
import { symbolFeed } from './symbol-feed';
import type { SymbolLookupService } from './symbol-lookup.service';

export interface PatternsQuery {
  symbol?: string | null;
  since?: Date | null;
  pattern?: string | null;
  limit?: number;
}

/** Rough heap bytes of one StoredPattern (object, two Dates, indicators). */
const PATTERN_BYTES = 600;

const BY_LOWER_NAME = new Map<string, PatternName>(
  PATTERN_NAMES.map((name) => [name.toLowerCase(), name]),
);

/** A known pattern name (case-insensitive: "hammer" → "Hammer"), or InvalidInputError listing the valid ones. */
export function normalizePatternName(raw: string | null | undefined): PatternName | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const name = BY_LOWER_NAME.get(raw.trim().toLowerCase());
  if (name === undefined) {
    const shown = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
    throw new InvalidInputError(
      `pattern ${shown} is not one of ${PATTERN_NAMES.join(', ')}`,
      'pattern',
    );
  }
  return name;
}

/**
 * The read side of patterns for GraphQL (`patterns`, `Symbol.patterns`, `patternDetected`):
 * validates inputs (InvalidInputError → BAD_USER_INPUT at the edge), wraps database failures
 * (DataAccessError), and never writes.
 */
export class PatternQueryService {
  private readonly checkSince: (since: Date | null | undefined) => Date | null;

  constructor(
    private readonly repository: PatternRepository,
    private readonly events: AppEvents,
    private readonly lookup: SymbolLookupService,
    options: SinceOptions = {},
    private readonly cache: ReadCache | null = null,
  ) {
    this.checkSince = sinceChecker(options);
  }

  /** Newest first: at most `limit` patterns, optionally of one symbol / one name / since a time. */
  async recent(query: PatternsQuery): Promise<readonly StoredPattern[]> {
    const filter = {
      symbol:
        query.symbol === null || query.symbol === undefined
          ? null
          : await this.lookup.resolve(query.symbol),
      pattern: normalizePatternName(query.pattern),
      since: this.checkSince(query.since),
      limit: checkLimit(query.limit ?? DEFAULT_LIMIT),
    };
    const load = () =>
      readThrough('pattern query failed', () => this.repository.findRecent(filter));
    if (this.cache === null) return load();
    // Scoped by symbol (or every symbol): a pattern insert invalidates its symbol's answers and the unfiltered ones.
    const scope = filter.symbol ?? ALL_SYMBOLS_SCOPE;
    const key = `patterns|${filter.pattern ?? ''}|${filter.since?.getTime() ?? ''}|${filter.limit}`;
    return (await this.cache.read(scope, key, load, (rows) => rows.length * PATTERN_BYTES)).value;
  }

  /** For the Symbol.patterns DataLoader: the newest `limit` of each symbol, in `symbols` order, one query. */
  async latestForSymbols(
    symbols: readonly string[],
    limit: number,
    maxLimit: number,
  ): Promise<StoredPattern[][]> {
    const checked = checkLimit(limit, 'limit', maxLimit);
    const bySymbol = await readThrough('pattern query failed', () =>
      this.repository.findLatestPerSymbol(symbols, checked),
    );
    return symbols.map((symbol) => bySymbol.get(symbol) ?? []);
  }

  /**
   * Live patterns as the sink stores them (one bus message per written batch), one by one,
   * optionally only for some symbols. Resolves the filter first (SymbolLookupService), so a
   * bad or ambiguous one fails before anything is subscribed.
   */
  async subscribe(
    symbols?: readonly string[] | null,
  ): Promise<AsyncIterableIterator<PatternEvent>> {
    const filter = await this.lookup.resolveFilter(symbols);
    return symbolFeed(filter, () => this.events.subscribe('patternsDetected'));
  }
}
