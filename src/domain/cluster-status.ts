/** Scale-out state in the status snapshot (absent for ROLE=all, which runs alone). */

export type LeadershipState = 'leader' | 'standby' | 'stopped';

export interface LeadershipStatus {
  state: LeadershipState;
  /**
   * How the leader is chosen: `advisory-lock` (PostgreSQL pg_try_advisory_lock on a dedicated
   * session) or `single-process` (PGlite lives inside one process, so it is always the leader).
   */
  election: 'advisory-lock' | 'single-process';
  /** ISO time this instance last became leader, null while it never was. */
  electedAt: string | null;
  /** Times this instance became leader. */
  elections: number;
  /** Elections won after standing by behind another leader (failovers onto this instance). */
  takeovers: number;
  /** Lock acquired → every feed socket live, for the latest election (ms). */
  lastTakeoverMs: number | null;
  /** Times this instance lost the lock while leading and stopped its socket and writes. */
  depositions: number;
  lastDeposedReason: string | null;
  lastDeposedAt: string | null;
  /** Bar writes refused because the lease was not confirmed (a leader waking from a freeze). */
  fencedWrites?: number;
}

export interface ReplicaStatus {
  /** False when the lag could not be measured (replica down); reads then go to the primary. */
  reachable: boolean;
  /** Age of the last replayed commit while WAL is still being replayed (0 when caught up). */
  lagMs: number | null;
  /** Primary WAL position minus replica replay position. */
  lagBytes: number | null;
  maxLagMs: number;
  /** Where API reads go now: the replica, or the primary while the replica is too far behind. */
  readsFrom: 'replica' | 'primary';
  measuredAt: string | null;
}

/** Whether an API instance's read cache is in use, and why not. */
export interface ReadCacheState {
  state: 'on' | 'off';
  /** Why it is off (every read then goes to the database), null while on. */
  reason: string | null;
  /** What invalidates it: the ingest leader's commit stream over Redis. */
  source: 'redis';
  /** Times every cached answer was voided because commits may have been missed. */
  resets: number;
  /** The commit stream's writer (the leader process) last heard. */
  writer: string | null;
}

export interface ClusterStatus {
  role: 'all' | 'ingest' | 'api';
  instanceId: string;
  /** This instance's own election (ingest role). */
  leadership: LeadershipStatus | null;
  /** The ingest leader as the database sees it (API role); null when no one holds the lock. */
  leader: { instanceId: string; sessionStartedAt: string } | null;
  /** How subscription events reach this instance's subscribers. */
  events: 'in-process' | 'redis' | 'polling-only';
  replica: ReplicaStatus | null;
  /** ROLE=api: the read cache and its invalidation across instances (absent: no cache). */
  readCache?: ReadCacheState | null;
}
