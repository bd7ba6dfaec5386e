/**
 * The shapes the dashboard reads from GraphQL (see src/schema/). Numbers arrive as JSON
 * numbers; timestamps as ISO-8601 strings.
 */

export interface ApiBar {
  symbol: string;
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
}

export interface ApiSymbol {
  symbol: string;
  name: string | null;
  latestBar: Pick<ApiBar, 'timestamp' | 'close' | 'open'> | null;
}

export type PatternDirection = 'bullish' | 'bearish' | 'reversal' | 'neutral';

export interface ApiPattern {
  symbol: string;
  pattern: string;
  direction: PatternDirection;
  confidence: number;
  price: number;
  priceChange: number;
  timestamp: string;
  expiresAt: string;
}

export interface ApiConnection {
  id: number;
  state: string;
  symbolCount: number;
  connectedSince: string | null;
  lastMessageAgeMs: number | null;
  messagesReceived: number;
  reconnects: number;
  lastDisconnectReason: string | null;
}

export interface ApiIngestStatus {
  feed: string;
  database: string;
  uptimeSeconds: number;
  ingest: {
    ticksReceived: number;
    ticksProcessed: number;
    ticksRejected: number;
    lagMs: number | null;
    lastTickAt: string | null;
    rejectedByReason: { reason: string; count: number }[];
  };
  connections: ApiConnection[];
  writer: {
    barsWritten: number;
    backlog: number;
    flushLatencyMs: { p50: number; p99: number };
    flushFailures: number;
  };
  patterns: { queueDepth: number; dropped: number };
}
