import type { ConnectionState, ConnectionStatus } from '../../domain/status';

/** ConnectionStatus plus the retry counters of this socket (tests and logs). */
export interface MassiveConnectionStatus extends ConnectionStatus {
  connectAttempts: number;
  maxConnectionsHits: number;
  /** Failed attempts since the last stable session (the backoff exponent). */
  attempt: number;
}

/** What one socket has been through, for its status(): attempts, traffic, the last failure. */
export class ConnectionRecord {
  connectAttempts = 0;
  maxConnectionsHits = 0;
  messagesReceived = 0;
  lastMessageAtMs: number | null = null;
  liveSinceMs: number | null = null;
  everLive = false;
  lastDisconnectReason: string | null = null;
  lastError: string | null = null;
  fatalError: string | null = null;
  /**
   * What the server said before closing this session (`slow_consumer: …`), so the close that
   * follows is recorded with the server's reason rather than a bare close code.
   */
  serverReason: string | null = null;

  message(nowMs: number): void {
    this.messagesReceived++;
    this.lastMessageAtMs = nowMs;
  }

  live(nowMs: number): void {
    this.liveSinceMs = nowMs;
    this.everLive = true;
  }

  /** The session ended: the server's announced reason wins over the transport's. */
  ended(reason: string, error: Error | null): void {
    this.lastDisconnectReason = this.serverReason ?? reason;
    this.serverReason = null;
    if (error) this.lastError = error.message;
  }

  status(
    id: number,
    state: ConnectionState,
    symbolCount: number,
    attempt: number,
  ): MassiveConnectionStatus {
    return {
      id,
      state,
      symbolCount,
      connectedSince: this.liveSinceMs === null ? null : new Date(this.liveSinceMs).toISOString(),
      lastMessageAgeMs: this.lastMessageAtMs === null ? null : Date.now() - this.lastMessageAtMs,
      messagesReceived: this.messagesReceived,
      reconnects: Math.max(0, this.connectAttempts - 1),
      lastDisconnectReason: this.lastDisconnectReason,
      lastError: this.lastError,
      fatalError: this.fatalError,
      connectAttempts: this.connectAttempts,
      maxConnectionsHits: this.maxConnectionsHits,
      attempt,
    };
  }
}
