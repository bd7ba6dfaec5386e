import type { LeadershipStatus } from '../domain/cluster-status';
import type { Logger } from '../logger';

/** The lock the election runs on (LeaderLockRepository on PostgreSQL). */
export interface LeaderLock {
  readonly lost: string | null;
  connect(): Promise<void>;
  tryAcquire(): Promise<boolean>;
  stillHeld(): Promise<boolean>;
  close(): Promise<void>;
}

export interface LeaderElectorOptions {
  /**
   * A fresh lock session per attempt, calling `onLost` the moment it breaks; null = single
   * process (PGlite): always the leader.
   */
  newLock: ((onLost: () => void) => LeaderLock) | null;
  pollMs: number;
  /** A leader whose lock was not confirmed for this long steps down, even if no error came. */
  leaseMs: number;
  logger: Logger;
  /** Became leader: start the feed (resolves once started; failures are logged and it steps down). */
  onElected(): Promise<void>;
  /** Lost the lock: stop the socket and writes at once. */
  onDeposed(reason: string): Promise<void>;
}

/**
 * Leader + standby over one PostgreSQL advisory lock. A standby tries for the lock every
 * `pollMs` on a session of its own; the leader checks on the same session that it still holds
 * it (the heartbeat). The session ends when the leader dies (kill -9: the server sees the socket
 * close), is cut off (the server's idle_session_timeout ends it), or is terminated; the leader
 * learns it from the heartbeat, the connection's error event, or the lease running out, and
 * steps down before a standby can have started — and if the two ever overlap, the bar writes'
 * seconds masks keep every bar exact.
 */
export class LeaderElector {
  private lock: LeaderLock | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private confirmedAt = 0;
  private failedAttempts = 0;
  /** A deposed leader competes again only from here on (ms). */
  private standBackUntilMs = 0;
  private readonly state: LeadershipStatus = {
    state: 'standby',
    election: 'advisory-lock',
    electedAt: null,
    elections: 0,
    takeovers: 0,
    lastTakeoverMs: null,
    depositions: 0,
    lastDeposedReason: null,
    lastDeposedAt: null,
  };

  constructor(private readonly options: LeaderElectorOptions) {
    if (options.newLock === null) this.state.election = 'single-process';
  }

  get isLeader(): boolean {
    return this.state.state === 'leader';
  }

  status(): LeadershipStatus {
    return { ...this.state };
  }

  /**
   * The write fence: leader, lock session unbroken, and the lock confirmed within the lease.
   * False the moment a frozen leader wakes past its lease, before its heartbeat has run.
   */
  holdsLease(): boolean {
    if (!this.isLeader) return false;
    if (this.options.newLock === null) return true;
    const lock = this.lock;
    return (
      lock !== null && lock.lost === null && Date.now() - this.confirmedAt <= this.options.leaseMs
    );
  }

  /** Records how long the latest election took to get the feed live. */
  recordLive(): void {
    if (this.state.electedAt !== null && this.state.lastTakeoverMs === null)
      this.state.lastTakeoverMs = Date.now() - Date.parse(this.state.electedAt);
  }

  start(): void {
    if (this.timer !== null || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.options.pollMs);
    this.timer.unref();
    void this.tick();
  }

  /**
   * Stops polling but keeps the lock, so a draining leader writes its last bars before a
   * standby takes over (were the server to end the session meanwhile, the overlap is safe).
   */
  async pause(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
  }

  /** Stops polling and ends the lock session (the caller stops its ingest first). */
  async stop(): Promise<void> {
    await this.pause();
    this.state.state = 'stopped';
    await this.lock?.close();
    this.lock = null;
  }

  private tick(): Promise<void> {
    // One step at a time: a slow database must not stack attempts.
    if (this.ticking !== null || this.stopped) return this.ticking ?? Promise.resolve();
    this.ticking = (this.isLeader ? this.heartbeat() : this.attempt()).finally(
      () => (this.ticking = null),
    );
    return this.ticking;
  }

  private async attempt(): Promise<void> {
    if (this.options.newLock === null) return this.elected();
    // Just deposed: a standby that kept its session goes first, rather than the two racing
    // (the loser of a race right after a deposition would be the instance that just failed).
    if (Date.now() < this.standBackUntilMs) return;
    try {
      if (this.lock === null || this.lock.lost !== null) {
        await this.lock?.close();
        const lock = this.options.newLock(() => this.lost(lock));
        this.lock = lock;
        await lock.connect();
      }
      if (await this.lock.tryAcquire()) {
        if (this.stopped) return;
        return await this.elected();
      }
      this.failedAttempts++;
    } catch (error) {
      this.failedAttempts++;
      this.options.logger.warn({ err: error }, 'leader election attempt failed; retrying');
    }
  }

  /** The lock session broke: a leader steps down now, not at its next heartbeat. */
  private lost(lock: LeaderLock): void {
    if (this.lock !== lock || !this.isLeader || this.stopped) return;
    void this.ticking?.then(() => this.tick());
    if (this.ticking === null) void this.tick();
  }

  private async elected(): Promise<void> {
    const takeover = this.failedAttempts > 0;
    if (takeover) {
      // A deposed leader that is still alive notices within one heartbeat; connect after it has,
      // so the feed never sees two sockets on the key (it would evict one).
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
      if (this.stopped || this.lock?.lost != null) return;
    }
    const { state } = this;
    state.state = 'leader';
    state.electedAt = new Date().toISOString();
    state.elections++;
    if (takeover) state.takeovers++;
    state.lastTakeoverMs = null;
    this.failedAttempts = 0;
    this.confirmedAt = Date.now();
    this.options.logger.info(
      { election: state.election, elections: state.elections, takeovers: state.takeovers },
      'elected ingest leader',
    );
    try {
      await this.options.onElected();
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not start ingest as leader; stepping down');
      await this.depose('ingest failed to start');
    }
  }

  private async heartbeat(): Promise<void> {
    const lock = this.lock;
    if (lock === null) return; // single process: nothing to lose
    let reason: string | null = lock.lost;
    if (reason === null) {
      try {
        // Confirmed as of when the question was sent: a slow answer proves nothing later.
        const askedAt = Date.now();
        if (await lock.stillHeld()) this.confirmedAt = askedAt;
        else reason = 'the lock is no longer held by this session';
      } catch (error) {
        reason = lock.lost ?? (error as Error).message;
      }
    }
    if (reason === null && Date.now() - this.confirmedAt > this.options.leaseMs)
      reason = `lock not confirmed for ${this.options.leaseMs} ms`;
    if (reason !== null) await this.depose(reason);
  }

  private async depose(reason: string): Promise<void> {
    const { state } = this;
    state.state = 'standby';
    state.depositions++;
    state.lastDeposedReason = reason;
    state.lastDeposedAt = new Date().toISOString();
    this.options.logger.error({ reason }, 'lost ingest leadership: stopping the feed and writes');
    // The lock session is finished either way; the next attempt opens a new one.
    const lock = this.lock;
    this.lock = null;
    this.standBackUntilMs = Date.now() + 2 * this.options.pollMs;
    await Promise.allSettled([this.options.onDeposed(reason), lock?.close()]);
  }
}
