import { Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import type { AppEvents } from '../events/app-events';
import type { PatternEvent } from '../domain/pattern-event';
import { PATTERN_NAMES, type PatternName } from '../patterns/pattern-catalog';
import { PatternRepository, PatternRepositoryError } from '../repositories/pattern.repository';
import { type StoredPattern } from '../domain/pattern-event';
import { DataAccessError, InvalidInputError } from './domain-errors';
import {
  checkLimit,
  checkSince,
  DEFAULT_LIMIT,
  normalizeSymbol,
  normalizeSymbolList,
} from './query-input';
import type { ApiDeps } from './service-registry';

export interface PatternsQuery {
  symbol?: string | null;
  since?: Date | null;
  pattern?: string | null;
  limit?: number;
}

/** How many events one subscriber may fall behind before its oldest are dropped. */
export const PATTERN_SUBSCRIBER_BUFFER = 10_000;
const DEFAULT_FUTURE_TOLERANCE_MS = 5 * 60_000;
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
  private readonly repository: PatternRepository;
  private readonly events: AppEvents;
  private readonly now: () => number;
  private readonly futureToleranceMs: number;

  constructor(deps: Pick<ApiDeps, 'dataSource' | 'events' | 'now' | 'futureSinceToleranceMs'>) {
    this.repository = new PatternRepository(deps.dataSource);
    this.events = deps.events;
    this.now = deps.now ?? Date.now;
    this.futureToleranceMs = deps.futureSinceToleranceMs ?? DEFAULT_FUTURE_TOLERANCE_MS;
  }

  /** Newest first: at most `limit` patterns, optionally of one symbol / one name / since a time. */
  async recent(query: PatternsQuery): Promise<StoredPattern[]> {
    const filter = {
      symbol:
        query.symbol === null || query.symbol === undefined ? null : normalizeSymbol(query.symbol),
      pattern: normalizePatternName(query.pattern),
      since: checkSince(query.since, this.now(), this.futureToleranceMs),
      limit: checkLimit(query.limit ?? DEFAULT_LIMIT),
    };
    return this.read(() => this.repository.findRecent(filter));
  }

  /** For the Symbol.patterns DataLoader: the newest `limit` of each symbol, in `symbols` order, one query. */
  async latestForSymbols(
    symbols: readonly string[],
    limit: number,
    maxLimit: number,
  ): Promise<StoredPattern[][]> {
    const checked = checkLimit(limit, 'limit', maxLimit);
    const bySymbol = await this.read(() => this.repository.findLatestPerSymbol(symbols, checked));
    return symbols.map((symbol) => bySymbol.get(symbol) ?? []);
  }

  /**
   * Live patterns as the sink stores them (one bus message per written batch), one by one,
   * optionally only for some symbols. Validates the filter up front.
   */
  subscribe(symbols?: readonly string[] | null): AsyncIterableIterator<PatternEvent> {
    const wanted = normalizeSymbolList(symbols);
    const filter = wanted === null ? null : new Set(wanted);
    const source = this.events.subscribe('patternsDetected');
    return new Repeater<PatternEvent>(async (push, stop) => {
      // Unsubscribing must end the bus subscription even while it waits for the next batch.
      void stop.then(() => source.return(undefined));
      for await (const batch of source) {
        for (const event of batch) {
          if (filter === null || filter.has(event.symbol)) void push(event);
        }
      }
      stop();
    }, new SlidingBuffer(PATTERN_SUBSCRIBER_BUFFER));
  }

  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof PatternRepositoryError)
        throw new DataAccessError('pattern query failed', { cause: error });
      throw error;
    }
  }
}
