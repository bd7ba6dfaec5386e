import WebSocket from 'ws';
import { redactUrl } from '../../config';
import { createQuietLogger, RateLimitedLog, type Logger } from '../../logger';
import type { ConnectionState, ConnectionStatus } from '../../domain/status';
import { backoffDelay } from '../../lib/backoff';
import {
  pickTuning,
  type ConnectionTuning,
  type FeedGap,
  type MassiveConnectionOptions,
} from './connection-options';
import {
  MassiveAuthError,
  MassiveConnectTimeoutError,
  MassiveError,
  MassiveHeartbeatError,
  MassiveMaxConnectionsError,
  MassiveSocketError,
} from './errors';
import { Heartbeat, type HeartbeatFailure } from './heartbeat';
import { authMessage, parseFrame, subscribeMessages, type StatusMessage } from './protocol';

export {
  DEFAULT_CONNECTION_OPTIONS,
  type ConnectionCallbacks,
  type ConnectionTuning,
  type FeedGap,
  type MassiveConnectionOptions,
} from './connection-options';

const noop = (): void => undefined;

/**
 * One Massive WebSocket: connected → auth → subscribe (chunked) → live; reconnects with capped
 * exponential backoff and full jitter, re-subscribing its whole symbol set every time.
 * `auth_failed` is fatal (state `failed`); `max_connections` waits long before retrying.
 */
export class MassiveConnection {
  readonly id: number;
  readonly symbols: readonly string[];
  private readonly tuning: ConnectionTuning;
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  private readonly random: () => number;
  private readonly wildcard: boolean;
  private readonly seen = new Set<string>();
  private readonly heartbeat: Heartbeat;

  private state: ConnectionState = 'closed';
  private socket: WebSocket | null = null;
  private started = false;
  private stopped = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;

  private connectAttempts = 0;
  private maxConnectionsHits = 0;
  private messagesReceived = 0;
  private lastMessageAtMs: number | null = null;
  private liveSinceMs: number | null = null;
  private everLive = false;
  private lastDisconnectReason: string | null = null;
  private lastError: string | null = null;
  private lastEventStartMs: number | null = null;
  private pendingGap: { fromMs: number; reason: string } | null = null;

  constructor(private readonly options: MassiveConnectionOptions) {
    this.id = options.id;
    this.symbols = [...options.symbols];
    this.wildcard = this.symbols.includes('*');
    this.tuning = pickTuning(options);
    this.log = (options.logger ?? createQuietLogger()).child({
      component: 'massive-connection',
      connection: this.id,
    });
    this.rateLog = new RateLimitedLog(this.log);
    this.random = options.random ?? Math.random;
    this.heartbeat = new Heartbeat(
      this.tuning,
      () => this.socket?.ping(),
      (failure) => this.onHeartbeatFailure(failure),
    );
  }

  /** Opens the socket. Idempotent; a closed connection cannot be restarted. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.connect();
  }

  /** Disables reconnect, clears every timer and closes the socket (graceful, then terminate). */
  async close(): Promise<void> {
    this.stopped = true;
    this.clearTimer('reconnectTimer');
    this.endSessionTimers();
    const ws = this.socket;
    this.socket = null;
    if (this.state !== 'failed') this.setState('closed');
    if (!ws) return;
    ws.removeAllListeners();
    ws.on('error', noop);
    if (ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, this.tuning.closeGraceMs);
      ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'client closing');
    });
  }

  status(): ConnectionStatus {
    return {
      id: this.id,
      state: this.state,
      symbolCount: this.wildcard ? this.seen.size : this.symbols.length,
      connectedSince: this.liveSinceMs === null ? null : new Date(this.liveSinceMs).toISOString(),
      lastMessageAgeMs: this.lastMessageAtMs === null ? null : Date.now() - this.lastMessageAtMs,
      messagesReceived: this.messagesReceived,
      reconnects: Math.max(0, this.connectAttempts - 1),
      lastDisconnectReason: this.lastDisconnectReason,
      lastError: this.lastError,
    };
  }

  /** Counters beyond ConnectionStatus, for tests and logs. */
  counters(): { connectAttempts: number; maxConnectionsHits: number; attempt: number } {
    return {
      connectAttempts: this.connectAttempts,
      maxConnectionsHits: this.maxConnectionsHits,
      attempt: this.attempt,
    };
  }

  private connect(): void {
    // The connect lock: one socket (or one pending attempt) at a time.
    if (this.stopped || this.state === 'failed' || this.socket !== null) return;
    this.clearTimer('reconnectTimer');
    this.connectAttempts++;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url, {
        handshakeTimeout: this.tuning.connectTimeoutMs,
        perMessageDeflate: false,
      });
    } catch (error) {
      this.failFatal(
        new MassiveSocketError(`Cannot open ${redactUrl(this.options.url)}`, { cause: error }),
      );
      return;
    }
    this.socket = ws;
    this.connectTimer = setTimeout(() => {
      this.drop(
        ws,
        'connect timeout',
        new MassiveConnectTimeoutError(this.tuning.connectTimeoutMs, this.state),
      );
    }, this.tuning.connectTimeoutMs);
    ws.on('open', () => {
      if (ws === this.socket) this.heartbeat.start(Date.now());
    });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(ws, data));
    ws.on('pong', () => {
      if (ws === this.socket) this.heartbeat.onPong();
    });
    ws.on('error', (error: Error) => {
      this.drop(
        ws,
        `socket error: ${error.message}`,
        new MassiveSocketError(error.message, { cause: error }),
      );
    });
    ws.on('close', (code: number, reason: Buffer) => {
      const text = reason.toString('utf8');
      this.drop(ws, `closed by server (code ${code}${text ? `: ${text}` : ''})`, null);
    });
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData): void {
    if (ws !== this.socket) return;
    const now = Date.now();
    this.messagesReceived++;
    this.lastMessageAtMs = now;
    this.heartbeat.onMessage(now);
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data).toString('utf8');
    const frame = parseFrame(text, {
      source: this.options.source,
      receivedAtMs: now,
      maxFutureMs: this.tuning.maxFutureMs,
    });

    for (const status of frame.statuses) {
      this.onStatus(ws, status);
      if (ws !== this.socket) return; // the status ended the session
    }
    if (frame.dataCount > 0) this.options.onFrame?.(frame.dataCount);
    for (const reject of frame.rejects) {
      this.options.onReject?.(reject.reason, reject.detail);
      this.rateLog.warn(
        `reject:${reject.reason}`,
        { reason: reject.reason, detail: reject.detail },
        'dropped bad feed input',
      );
    }
    const events = frame.events;
    if (events.length === 0) return;
    if (this.state === 'subscribing') this.goLive();

    let minStart = events[0].startMs;
    let maxStart = minStart;
    for (let i = 0; i < events.length; i++) {
      const start = events[i].startMs;
      if (start < minStart) minStart = start;
      if (start > maxStart) maxStart = start;
      if (this.wildcard) this.seen.add(events[i].symbol);
    }
    this.lastEventStartMs = maxStart;
    if (this.pendingGap !== null) {
      const gap: FeedGap = {
        connectionId: this.id,
        symbols: this.wildcard ? [...this.seen] : [...this.symbols],
        fromMs: this.pendingGap.fromMs,
        toMs: minStart,
        reason: this.pendingGap.reason,
      };
      this.pendingGap = null;
      this.log.info(
        { fromMs: gap.fromMs, toMs: gap.toMs, symbols: gap.symbols.length },
        'feed gap after reconnect',
      );
      this.guard('onGap', () => this.options.onGap?.(gap));
    }
    this.guard('onTicks', () => this.options.onTicks(events));
  }

  private onStatus(ws: WebSocket, status: StatusMessage): void {
    switch (status.status) {
      case 'connected':
        if (this.state !== 'connecting') return;
        this.setState('authenticating');
        this.send(ws, authMessage(this.options.apiKey));
        return;
      case 'auth_success': {
        this.setState('subscribing');
        const wanted = this.wildcard ? ['*'] : this.symbols;
        for (const message of subscribeMessages(wanted, this.tuning.subscribeChunkSize))
          this.send(ws, message);
        if (wanted.length === 0) this.goLive();
        return;
      }
      case 'auth_failed':
        this.failFatal(new MassiveAuthError(status.message));
        return;
      case 'max_connections':
        this.maxConnectionsHits++;
        this.drop(ws, 'max_connections', new MassiveMaxConnectionsError(status.message), true);
        return;
      case 'success':
        if (this.state === 'subscribing') this.goLive();
        return;
      case 'error':
        this.lastError = `server error status: ${status.message}`;
        this.rateLog.warn(
          'status:error',
          { message: status.message },
          'Massive sent an error status',
        );
        return;
      default:
        this.log.debug(
          { status: status.status, message: status.message },
          'unhandled status message',
        );
    }
  }

  private goLive(): void {
    this.clearTimer('connectTimer');
    const now = Date.now();
    this.liveSinceMs = now;
    this.everLive = true;
    this.heartbeat.armIdleCheck(now);
    this.setState('live');
    // Only a session that stays up resets the backoff; a flapping server keeps backing off.
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      this.attempt = 0;
    }, this.tuning.stableUptimeMs);
    this.log.info(
      { symbols: this.wildcard ? '*' : this.symbols.length, attempt: this.connectAttempts },
      'Massive socket live',
    );
  }

  private onHeartbeatFailure(failure: HeartbeatFailure): void {
    const ws = this.socket;
    if (ws)
      this.drop(
        ws,
        `heartbeat: ${failure.kind} (${failure.detail})`,
        new MassiveHeartbeatError(failure.kind, failure.detail),
      );
  }

  /** Ends the session of `ws` (if it is still the current one) and schedules a reconnect. */
  private drop(
    ws: WebSocket,
    reason: string,
    error: MassiveError | null,
    longBackoff = false,
  ): void {
    if (ws !== this.socket) return;
    const wasLive = this.state === 'live';
    this.endSession(ws);
    this.lastDisconnectReason = reason;
    if (error) this.lastError = error.message;
    if (this.pendingGap === null) {
      const fromMs = this.lastEventStartMs ?? (this.everLive ? Date.now() : null);
      if (fromMs !== null) this.pendingGap = { fromMs, reason };
    }
    this.log.warn({ reason, wasLive, err: error ?? undefined }, 'Massive socket session ended');
    if (this.stopped) {
      this.setState('closed');
      return;
    }
    const delay = longBackoff
      ? Math.round(this.tuning.maxConnectionsBackoffMs * (0.5 + 0.5 * this.random()))
      : backoffDelay(this.tuning.backoff, this.attempt, this.random);
    this.attempt++;
    this.setState('backoff');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private failFatal(error: MassiveError): void {
    if (this.socket) this.endSession(this.socket);
    this.clearTimer('reconnectTimer');
    this.lastError = error.message;
    this.lastDisconnectReason = error instanceof MassiveAuthError ? 'auth_failed' : 'fatal error';
    this.setState('failed');
    this.log.error({ err: error }, 'Massive socket failed; not retrying');
    this.guard('onFatal', () => this.options.onFatal?.(error));
  }

  private endSession(ws: WebSocket): void {
    this.socket = null;
    this.liveSinceMs = null;
    this.endSessionTimers();
    ws.removeAllListeners();
    ws.on('error', noop);
    ws.terminate();
  }

  private endSessionTimers(): void {
    this.heartbeat.stop();
    this.clearTimer('connectTimer');
    this.clearTimer('stableTimer');
  }

  private send(ws: WebSocket, message: string): void {
    ws.send(message, (error) => {
      if (error)
        this.drop(
          ws,
          `send failed: ${error.message}`,
          new MassiveSocketError(error.message, { cause: error }),
        );
    });
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.log.debug({ from: this.state, to: state }, 'connection state');
    this.state = state;
  }

  private clearTimer(name: 'reconnectTimer' | 'connectTimer' | 'stableTimer'): void {
    const timer = this[name];
    if (timer) clearTimeout(timer);
    this[name] = null;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.rateLog.warn(
        `callback:${what}`,
        { err: error },
        `${what} callback threw; the socket keeps running`,
      );
    }
  }
}
