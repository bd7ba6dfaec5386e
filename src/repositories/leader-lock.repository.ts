import { Client } from 'pg';

/**
 * The ingest leader's advisory lock as `pg_try_advisory_lock(classid, objid)`; its rows in
 * pg_locks carry these two numbers, which is how API instances find the leader.
 */
export const INGEST_LOCK = { classid: 0x5469636b /* "Tick" */, objid: 1 } as const;

/** The application_name of every lock session: API instances read the leader's id from it. */
export const LOCK_APPLICATION_PREFIX = 'tickstock-ingest ';

export interface LeaderLockOptions {
  url: string;
  instanceId: string;
  /**
   * The server ends the lock session after this much silence (idle_session_timeout), so a
   * leader cut off from the database loses the lock even when its TCP connection never breaks.
   */
  serverIdleTimeoutMs: number;
  /** A statement not answered within this fails (the leader then counts the lock as lost). */
  statementTimeoutMs: number;
}

/** The lock connection broke, or a lock statement failed. */
export class LeaderLockError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'LeaderLockError';
  }
}

/**
 * The ingest election's lock on a connection of its own, never a pooled one: an advisory lock
 * belongs to a session, and a pool would hand that session to someone else or close it. One
 * instance per connection attempt; after `lost` it is finished and a new one is made.
 */
export class LeaderLockRepository {
  private readonly client: Client;
  private lostReason: string | null = null;

  constructor(
    private readonly options: LeaderLockOptions,
    /** Called once when the session breaks (terminated, socket error, server gone). */
    private readonly onLost: () => void = () => undefined,
  ) {
    this.client = new Client({
      connectionString: options.url,
      application_name: `${LOCK_APPLICATION_PREFIX}${options.instanceId}`.slice(0, 63),
      keepAlive: true,
      keepAliveInitialDelayMillis: 1000,
      query_timeout: options.statementTimeoutMs,
      connectionTimeoutMillis: options.statementTimeoutMs,
    });
    // A terminated backend or a broken socket: the lock is gone with the session.
    this.client.on(
      'error',
      (error) => (this.lostReason ??= `lock session error: ${error.message}`),
    );
    this.client.on('end', () => (this.lostReason ??= 'lock session ended'));
  }

  private markLost(reason: string): void {
    if (this.lostReason !== null) return;
    this.lostReason = reason;
    this.onLost();
  }

  /** Why the session is gone, or null while it is open. */
  get lost(): string | null {
    return this.lostReason;
  }

  /** Opens the session and sets its server-side timeouts. */
  async connect(): Promise<void> {
    try {
      await this.client.connect();
      const idle = `${this.options.serverIdleTimeoutMs}ms`;
      // idle_session_timeout is PostgreSQL ≥ 14; keepalives catch a half-open TCP connection.
      await this.client.query(
        `SELECT set_config('idle_session_timeout', $1, false),
                set_config('tcp_keepalives_idle', '5', false),
                set_config('tcp_keepalives_interval', '2', false),
                set_config('tcp_keepalives_count', '3', false)`,
        [idle],
      );
    } catch (error) {
      this.lostReason ??= 'could not open the lock session';
      throw new LeaderLockError('could not open the leader lock session', { cause: error });
    }
  }

  /** True when this session now holds the ingest lock (it never waits for it). */
  async tryAcquire(): Promise<boolean> {
    const rows = await this.run<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::int, $2::int) AS locked',
      [INGEST_LOCK.classid, INGEST_LOCK.objid],
    );
    return rows[0]?.locked === true;
  }

  /** The heartbeat: true while this very session still holds the lock. */
  async stillHeld(): Promise<boolean> {
    const rows = await this.run<{ held: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_locks
          WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
            AND granted AND pid = pg_backend_pid()) AS held`,
      [INGEST_LOCK.classid, INGEST_LOCK.objid],
    );
    return rows[0]?.held === true;
  }

  /** The backend pid of the lock session (what pg_terminate_backend takes). */
  async backendPid(): Promise<number> {
    const rows = await this.run<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0].pid;
  }

  /** Releases the lock (if held) by ending the session; never throws. */
  async close(): Promise<void> {
    this.lostReason ??= 'closed';
    await this.client.end().catch(() => undefined);
  }

  private async run<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (this.lostReason !== null)
      throw new LeaderLockError(`leader lock session is gone (${this.lostReason})`, {
        cause: null,
      });
    try {
      return (await this.client.query(sql, params)).rows as T[];
    } catch (error) {
      this.markLost(`lock statement failed: ${(error as Error).message}`);
      throw new LeaderLockError('leader lock statement failed', { cause: error });
    }
  }
}
