import type { MinuteBar } from '../domain/minute-bar';
import type { PatternEvent } from '../domain/pattern-event';
import type {
  ConnectionStatus,
  IngestCounters,
  IngestStatusSnapshot,
  PatternStatus,
  WriterStatus,
} from '../domain/status';

/**
 * The shapes the dashboard reads from GraphQL (see src/schema/): the domain types, with the
 * fields the page asks for. Numbers arrive as JSON numbers; times as ISO-8601 strings (the
 * status snapshot already holds them so). Type-only imports: esbuild bundles none of src/domain.
 */

/** The GraphQL Bar: a minute bar with its minute start as ISO text. */
export interface ApiBar extends Omit<MinuteBar, 'minuteStartMs'> {
  timestamp: string;
}

export interface ApiSymbol {
  symbol: string;
  name: string | null;
  latestBar: Pick<ApiBar, 'timestamp' | 'close' | 'open'> | null;
}

export type PatternDirection = PatternEvent['direction'];

export interface ApiPattern extends Pick<
  PatternEvent,
  'symbol' | 'pattern' | 'direction' | 'confidence' | 'price' | 'priceChange'
> {
  timestamp: string;
  expiresAt: string;
}

export type ApiConnection = Omit<ConnectionStatus, 'lastError'>;

export interface ApiIngestStatus extends Pick<
  IngestStatusSnapshot,
  'feed' | 'database' | 'uptimeSeconds'
> {
  ingest: Pick<
    IngestCounters,
    'ticksReceived' | 'ticksProcessed' | 'ticksRejected' | 'lagMs' | 'lastTickAt'
  > & {
    /** GraphQL has no map type: the snapshot's record arrives as a list. */
    rejectedByReason: { reason: string; count: number }[];
  };
  connections: ApiConnection[];
  writer: Pick<WriterStatus, 'barsWritten' | 'backlog' | 'flushLatencyMs' | 'flushFailures'>;
  patterns: Pick<PatternStatus, 'queueDepth' | 'dropped'>;
  /** Scale-out roles only; null on the one-box ROLE=all. */
  cluster: ApiCluster | null;
}

/** ClusterStatus as GraphQL serves it: the leader's id flattened, the fields the view shows. */
export interface ApiCluster {
  role: string;
  instanceId: string;
  leaderId: string | null;
  events: string;
  leadership: {
    state: string;
    election: string;
    elections: number;
    takeovers: number;
    lastTakeoverMs: number | null;
    depositions: number;
  } | null;
  replica: { lagMs: number | null; readsFrom: string; reachable: boolean } | null;
}
