import type { ClusterStatus } from './cluster-status';

/**
 * The shapes of the live status every component reports; /api/stats, GraphQL `ingestStatus`,
 * /readyz and the dashboard all read this one snapshot.
 */

export type ConnectionState =
  'connecting' | 'authenticating' | 'subscribing' | 'live' | 'backoff' | 'failed' | 'closed';

export interface ConnectionStatus {
  id: number;
  state: ConnectionState;
  symbolCount: number;
  /** ISO time the current session became live, null when not live. */
  connectedSince: string | null;
  /** Milliseconds since the last message on this socket, null before the first. */
  lastMessageAgeMs: number | null;
  messagesReceived: number;
  reconnects: number;
  lastDisconnectReason: string | null;
  lastError: string | null;
}

export interface WriterStatus {
  barsWritten: number;
  flushes: number;
  flushFailures: number;
  flushLatencyMs: { p50: number; p99: number };
  /** Bar updates waiting to be written (coalesced by bar key). */
  backlog: number;
  /** Bar deltas the database already had (re-delivered seconds), ignored. */
  duplicatesIgnored: number;
  lastFlushAt: string | null;
  lastError: string | null;
}

export interface BackfillStatus {
  runs: number;
  requests: number;
  minutesFilled: number;
  failures: number;
  lastRunAt: string | null;
  lastError: string | null;
}

export interface PatternStatus {
  detectedByPattern: Record<string, number>;
  persisted: number;
  published: number;
  publishFailures: number;
  queueDepth: number;
  dropped: number;
}

export interface IngestCounters {
  framesReceived: number;
  ticksReceived: number;
  ticksProcessed: number;
  ticksRejected: number;
  rejectedByReason: Record<string, number>;
  lastTickAt: string | null;
  lagMs: number | null;
}

export interface IngestStatusSnapshot {
  startedAt: string;
  uptimeSeconds: number;
  feed: 'simulator' | 'massive';
  database: 'pglite' | 'postgres';
  ingest: IngestCounters;
  connections: ConnectionStatus[];
  writer: WriterStatus;
  backfill: BackfillStatus;
  patterns: PatternStatus;
  /** Role, leadership, event fan-out and replica lag; absent for ROLE=all. */
  cluster?: ClusterStatus;
}

/** Backfill counters before (or without) any backfill. */
export function emptyBackfillStatus(): BackfillStatus {
  return { runs: 0, requests: 0, minutesFilled: 0, failures: 0, lastRunAt: null, lastError: null };
}

/** The ingest part of a snapshot of a process that ingests nothing (no feed, nothing written). */
export function idleIngestStatus(): Omit<
  IngestStatusSnapshot,
  'startedAt' | 'uptimeSeconds' | 'feed' | 'database'
> {
  return {
    ingest: {
      framesReceived: 0,
      ticksReceived: 0,
      ticksProcessed: 0,
      ticksRejected: 0,
      rejectedByReason: {},
      lastTickAt: null,
      lagMs: null,
    },
    connections: [],
    writer: {
      barsWritten: 0,
      flushes: 0,
      flushFailures: 0,
      flushLatencyMs: { p50: 0, p99: 0 },
      backlog: 0,
      duplicatesIgnored: 0,
      lastFlushAt: null,
      lastError: null,
    },
    backfill: emptyBackfillStatus(),
    patterns: {
      detectedByPattern: {},
      persisted: 0,
      published: 0,
      publishFailures: 0,
      queueDepth: 0,
      dropped: 0,
    },
  };
}
