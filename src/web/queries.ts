import type { ApiBar, ApiIngestStatus, ApiPattern, ApiSymbol } from './types';

/**
 * GraphQL documents the dashboard sends. One poll is one HTTP request carrying bars, patterns
 * and feed health together, so a 2-core box serves a dashboard with one round trip per tick.
 */

const BAR_FIELDS = 'symbol timestamp open high low close volume vwap';

const PATTERN_FIELDS = 'symbol pattern direction confidence price priceChange timestamp expiresAt';

const STATUS_FIELDS = `
  feed database uptimeSeconds
  ingest { ticksReceived ticksProcessed ticksRejected lagMs lastTickAt rejectedByReason { reason count } }
  connections { id state symbolCount connectedSince lastMessageAgeMs messagesReceived reconnects lastDisconnectReason }
  writer { barsWritten backlog flushLatencyMs { p50 p99 } flushFailures }
  patterns { queueDepth dropped }
  cluster { role instanceId leaderId events leadership { state election elections takeovers lastTakeoverMs depositions } replica { lagMs readsFrom reachable } }`;

/**
 * Bars since the newest one shown (inclusive, so the in-progress minute is re-read and merged
 * in place), new patterns, and feed health. Without a symbol yet, only patterns and health.
 */
export function pollQuery(withBars: boolean): string {
  const bars = withBars
    ? `recentTicks(symbol: $symbol, since: $since, limit: $barLimit) { ${BAR_FIELDS} }`
    : '';
  const barVariables = withBars ? '$symbol: String!, $since: DateTime, $barLimit: Int!, ' : '';
  return `query DashboardPoll(${barVariables}$patternsSince: DateTime, $patternLimit: Int!) {
  ${bars}
  patterns(since: $patternsSince, limit: $patternLimit) { ${PATTERN_FIELDS} }
  ingestStatus { ${STATUS_FIELDS} }
}`;
}

export interface PollResult {
  recentTicks: ApiBar[];
  patterns: ApiPattern[];
  ingestStatus: ApiIngestStatus;
}

export interface SymbolsResult {
  symbols: ApiSymbol[];
}

export interface PollVariables {
  symbol?: string;
  since?: string | null;
  barLimit?: number;
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
