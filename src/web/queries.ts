import type { ApiBar, ApiIngestStatus, ApiPattern, ApiSymbol } from './types';

/**
 * GraphQL documents the dashboard sends. One poll is one HTTP request carrying bars, patterns
 * and feed health together, so a 2-core box serves a dashboard with one round trip per tick.
 */

const BAR_FIELDS = 'symbol timestamp open high low close volume vwap';

/** One page of bars at the chosen timeframe (`from` inclusive: the in-progress bar comes back). */
const BARS_PAGE = `bars(symbol: $symbol, timeframe: $timeframe, from: $from, order: $order, limit: $barLimit, after: $after) {
    bars { ${BAR_FIELDS} } hasNextPage endCursor }`;
const BARS_VARIABLES =
  '$symbol: String!, $timeframe: TimeframeInput, $from: DateTime, $order: BarOrder, $barLimit: Int!, $after: String';

/** Older bars for scroll-back: the next page of a newest-first read. */
export const OLDER_BARS_QUERY = `query DashboardOlderBars(${BARS_VARIABLES}) { chartBars: ${BARS_PAGE} }`;

const PATTERN_FIELDS = 'symbol pattern direction confidence price priceChange timestamp expiresAt';

const STATUS_FIELDS = `
  feed database uptimeSeconds
  ingest { ticksReceived ticksProcessed ticksRejected lagMs lastTickAt rejectedByReason { reason count } }
  connections { id state symbolCount connectedSince lastMessageAgeMs messagesReceived reconnects lastDisconnectReason fatalError }
  writer { barsWritten backlog flushLatencyMs { p50 p99 } flushFailures }
  patterns { queueDepth dropped }
  cluster { role instanceId leaderId events leadership { state election elections takeovers lastTakeoverMs depositions } replica { lagMs readsFrom reachable } }`;

/**
 * Bars since the newest one shown (inclusive, so the in-progress minute is re-read and merged
 * in place), new patterns, and feed health. Without a symbol yet, only patterns and health.
 */
export function pollQuery(withBars: boolean): string {
  const bars = withBars ? `chartBars: ${BARS_PAGE}` : '';
  const barVariables = withBars ? `${BARS_VARIABLES}, ` : '';
  return `query DashboardPoll(${barVariables}$patternsSince: DateTime, $patternLimit: Int!) {
  ${bars}
  patterns(since: $patternsSince, limit: $patternLimit) { ${PATTERN_FIELDS} }
  ingestStatus { ${STATUS_FIELDS} }
}`;
}

export interface BarsPage {
  bars: ApiBar[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The variables of one bars read. */
export interface BarsVariables {
  symbol: string;
  timeframe: { multiplier: number; unit: 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' };
  from: string | null;
  order: 'ASC' | 'DESC';
  barLimit: number;
  after: string | null;
}

export interface PollResult {
  chartBars: BarsPage;
  patterns: ApiPattern[];
  ingestStatus: ApiIngestStatus;
}

export interface SymbolsResult {
  symbols: ApiSymbol[];
}

export interface PollVariables extends Partial<BarsVariables> {
  patternsSince: string | null;
  patternLimit: number;
}

export const SYMBOLS_QUERY = `
query DashboardSymbols($search: String, $limit: Int!) {
  symbols(search: $search, limit: $limit) { symbol name latestBar { timestamp open close } }
}`;

export interface SymbolsVariables {
  search: string | null;
  limit: number;
}
