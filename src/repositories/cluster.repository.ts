import type { DataSource } from 'typeorm';
import { INGEST_LOCK, LOCK_APPLICATION_PREFIX } from './leader-lock.repository';

/** The session holding the ingest lock, as the primary sees it. */
export interface LockHolder {
  instanceId: string;
  /** When the holder's lock session was opened (≈ when it started standing by). */
  sessionStartedAt: string;
}

/** A replica's position behind its primary. */
export interface ReplicaPosition {
  inRecovery: boolean;
  /** Seconds since the last replayed transaction's commit, 0 when everything received is replayed. */
  replayLagMs: number | null;
  replayLsn: string | null;
}

/** Cluster facts that live in PostgreSQL's own catalogs: who leads ingest, how far a replica lags. */
export class ClusterRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The instance holding the ingest lock, null when none does (run on the primary). */
  async lockHolder(): Promise<LockHolder | null> {
    const rows = await this.dataSource.query<{ name: string; started: Date }[]>(
      `SELECT a.application_name AS name, a.backend_start AS started
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
          AND l.granted
        LIMIT 1`,
      [INGEST_LOCK.classid, INGEST_LOCK.objid],
    );
    const row = rows[0];
    if (row === undefined) return null;
    return {
      instanceId: row.name.startsWith(LOCK_APPLICATION_PREFIX)
        ? row.name.slice(LOCK_APPLICATION_PREFIX.length)
        : row.name,
      sessionStartedAt: new Date(row.started).toISOString(),
    };
  }

  /**
   * How far this (replica) server is behind. When every WAL byte received has been replayed
   * the replica is current, whatever the age of the last commit; otherwise the lag is the age
   * of the last replayed commit, which over-states it rather than under-states it.
   */
  async replicaPosition(): Promise<ReplicaPosition> {
    const rows = await this.dataSource.query<
      { recovery: boolean; lag_ms: string | null; replay: string | null }[]
    >(
      `SELECT pg_is_in_recovery() AS recovery,
              CASE WHEN NOT pg_is_in_recovery() THEN 0
                   WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
                         * 1000)::bigint END::text AS lag_ms,
              pg_last_wal_replay_lsn()::text AS replay`,
    );
    const row = rows[0];
    return {
      inRecovery: row.recovery,
      replayLagMs: row.lag_ms === null ? null : Number(row.lag_ms),
      replayLsn: row.replay,
    };
  }

  /** The primary's current WAL position (to compare with a replica's replay position). */
  async currentLsn(): Promise<string> {
    const rows = await this.dataSource.query<{ lsn: string }[]>(
      'SELECT pg_current_wal_lsn()::text AS lsn',
    );
    return rows[0].lsn;
  }

  /** Bytes between two WAL positions (primary minus replica). */
  async lsnDiffBytes(primaryLsn: string, replicaLsn: string): Promise<number> {
    const rows = await this.dataSource.query<{ bytes: string }[]>(
      'SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::text AS bytes',
      [primaryLsn, replicaLsn],
    );
    return Math.max(0, Number(rows[0].bytes));
  }
}
