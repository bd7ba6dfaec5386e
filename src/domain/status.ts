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
  /**
   * Why this socket stopped for good (state `failed`: auth_failed, or "another client is using
   * this key" after repeated evictions); null while it runs. /readyz and the dashboard show it.
   */
  fatalError: string | null;
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

/** Re-broadcast seconds (Massive corrects a second for up to 15 minutes). */
export interface CorrectionStatus {
  /** Corrections applied from memory (the minute was rewritten). */
  applied: number;
  /** Corrections whose earlier version was not in memory: their minute is re-checked from REST. */
  deferred: number;
  /** Repeats identical to the version already counted. */
  identical: number;
  /** Bars held in memory (open, or inside their correction window). */
  barsInMemory: number;
}

/** REST re-checks of minutes after their correction window, and optional reconciliation. */
export interface ReconcileStatus {
  /** Minutes marked for a re-check, by why. */
  scheduled: Record<'restart' | 'evicted' | 'conflict' | 'gap-fill' | 'reconcile', number>;
  /** Minutes waiting for their window to close (or for budget). */
  pending: number;
  requests: number;
  failures: number;
  minutesChecked: number;
  /** Minutes REST had differently: replaced with the REST minute. */
  minutesReplaced: number;
  /** Σ |REST volume − stored volume| over replaced minutes. */
  volumeDrift: number;
  /** Stored minutes REST has no bar for (kept as they are). */
  missingInRest: number;
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
  corrections: CorrectionStatus;
  reconcile: ReconcileStatus;
  patterns: PatternStatus;
  /** Role, leadership, event fan-out and replica lag; absent for ROLE=all. */
  cluster?: ClusterStatus;
}

/** Backfill counters before (or without) any backfill. */
export function emptyBackfillStatus(): BackfillStatus {
  return { runs: 0, requests: 0, minutesFilled: 0, failures: 0, lastRunAt: null, lastError: null };
}

export function emptyCorrectionStatus(): CorrectionStatus {
  return { applied: 0, deferred: 0, identical: 0, barsInMemory: 0 };
}

export function emptyReconcileStatus(): ReconcileStatus {
  return {
    scheduled: { restart: 0, evicted: 0, conflict: 0, 'gap-fill': 0, reconcile: 0 },
    pending: 0,
    requests: 0,
    failures: 0,
    minutesChecked: 0,
    minutesReplaced: 0,
    volumeDrift: 0,
    missingInRest: 0,
    lastError: null,
  };
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
    corrections: emptyCorrectionStatus(),
    reconcile: emptyReconcileStatus(),
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
