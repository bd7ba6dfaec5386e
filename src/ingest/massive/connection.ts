import WebSocket from 'ws';
import { redactUrl } from '../../config';
import { createQuietLogger, RateLimitedLog, type Logger } from '../../logger';
import type { ConnectionState } from '../../domain/status';
import { ConnectionRecord, type MassiveConnectionStatus } from './connection-record';
import {
  pickTuning,
  type ConnectionTuning,
  type MassiveConnectionOptions,
} from './connection-options';
import {
  MassiveAuthError,
  MassiveConnectTimeoutError,
  MassiveError,
  MassiveHeartbeatError,
  MassiveKeyInUseError,
  MassiveMaxConnectionsError,
  MassiveSocketError,
} from './errors';
import { EvictionGuard } from './eviction-guard';
import { FeedDispatcher } from './feed-dispatcher';
import { GapTracker } from './gap-tracker';
import { Heartbeat, type HeartbeatFailure } from './heartbeat';
import { authMessage, parseFrame, subscribeMessages, type StatusMessage } from './protocol';
import { ReconnectPolicy } from './reconnect-policy';
import { closeSocket, discardSocket, frameText, openSocket } from './socket-io';

export {
  DEFAULT_CONNECTION_OPTIONS,
  type ConnectionTuning,
  type MassiveConnectionOptions,
} from './connection-options';
export type { MassiveConnectionStatus } from './connection-record';
export type { FeedFrame, FeedGap, FeedListener } from './feed-listener';

/**
 * One Massive WebSocket: open → auth (sent at once, as the official clients do) → subscribe
 * (chunked) → live; reconnects with capped exponential backoff and full jitter, re-subscribing
 * its whole symbol set every time. `auth_failed` is fatal (state `failed`); an eviction
 * (`max_connections`) waits long before retrying, and repeated evictions within the window
 * are fatal too: another client uses the key, and reconnecting would evict it in turn.
 */
export class MassiveConnection {
  readonly id: number;
  readonly symbols: readonly string[];
  private readonly tuning: ConnectionTuning;
  private readonly log: Logger;
  private readonly rateLog: RateLimitedLog;
  private readonly wildcard: boolean;
  private readonly gaps: GapTracker;
  private readonly dispatch: FeedDispatcher;
  private readonly reconnect: ReconnectPolicy;
  private readonly heartbeat: Heartbeat;
  private readonly evictions: EvictionGuard;

  private state: ConnectionState = 'closed';
  private socket: WebSocket | null = null;
  private started = false;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private connectTimer: NodeJS.Timeout | null = null;
  private readonly record = new ConnectionRecord();

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
    this.gaps = new GapTracker(this.id, this.symbols, this.wildcard);
    this.dispatch = new FeedDispatcher(options.listener, this.gaps, this.log, this.rateLog);
    this.reconnect = new ReconnectPolicy(this.tuning, options.random ?? Math.random);
    this.evictions = new EvictionGuard(this.tuning);
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
    if (ws) await closeSocket(ws, this.tuning.closeGraceMs);
  }

  status(): MassiveConnectionStatus {
    return this.record.status(this.id, this.state, this.gaps.symbolCount, this.reconnect.attempts);
  }

  private connect(): void {
    // The connect lock: one socket (or one pending attempt) at a time.
    if (this.stopped || this.state === 'failed' || this.socket !== null) return;
    this.clearTimer('reconnectTimer');
    this.record.connectAttempts++;
    this.setState('connecting');
    let ws: WebSocket;
    try {
      ws = openSocket(this.options.url, this.tuning.connectTimeoutMs, {
        open: () => this.onOpen(ws),
        message: (data) => this.onMessage(ws, data),
        pong: () => ws === this.socket && this.heartbeat.onPong(),
        error: (error) =>
          this.drop(
            ws,
            `socket error: ${error.message}`,
            new MassiveSocketError(error.message, { cause: error }),
          ),
        close: (detail) => this.drop(ws, `closed by server (${detail})`, null),
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
  }

  private onOpen(ws: WebSocket): void {
    if (ws !== this.socket) return;
    this.heartbeat.start(Date.now());
    // Like the official JS and Go clients: auth right away, not after the `connected` greeting
    // (a greeting that is late or lost would otherwise end in auth_timeout).
    this.setState('authenticating');
    this.send(ws, authMessage(this.options.apiKey));
  }

  private onMessage(ws: WebSocket, data: WebSocket.RawData): void {
    if (ws !== this.socket) return;
    const now = Date.now();
    this.record.message(now);
    this.heartbeat.onMessage(now);
    const frame = parseFrame(frameText(data), {
      source: this.options.source,
      receivedAtMs: now,
      maxFutureMs: this.tuning.maxFutureMs,
    });

    for (const status of frame.statuses) {
      this.onStatus(ws, status);
      if (ws !== this.socket) return; // the status ended the session
    }
    if (frame.dataCount === 0) return;
    if (frame.events.length > 0 && this.state === 'subscribing') this.goLive();
    this.dispatch.frame(frame);
  }

  private onStatus(ws: WebSocket, status: StatusMessage): void {
    switch (status.status) {
      case 'connected':
        return; // auth already went out on open
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
        this.onEvicted(ws, status.message);
        return;
      case 'success':
        if (this.state === 'subscribing') this.goLive();
        return;
      case 'error':
        this.record.lastError = `server error status: ${status.message}`;
        this.rateLog.warn(
          'status:error',
          { message: status.message },
          'Massive sent an error status',
        );
        return;
      case 'slow_consumer':
      case 'force_disconnect':
      case 'auth_timeout':
        // The server is about to close (or warns it will): the close is recorded with this.
        this.record.serverReason = `${status.status}: ${status.message}`;
        this.rateLog.warn(
          `status:${status.status}`,
          { status: status.status, message: status.message, state: this.state },
          `Massive sent ${status.status}; the socket will reconnect`,
        );
        return;
      default:
        this.log.debug(
          { status: status.status, message: status.message },
          'unhandled status message',
        );
    }
  }

  /** `max_connections`: a newer socket on the key took this one's place. */
  private onEvicted(ws: WebSocket, message: string): void {
    this.record.maxConnectionsHits++;
    if (this.evictions.evicted(Date.now())) {
      this.failFatal(
        new MassiveKeyInUseError(this.evictions.recent, this.tuning.evictionWindowMs, message),
      );
      return;
    }
    this.drop(ws, 'max_connections', new MassiveMaxConnectionsError(message), true);
  }

  private goLive(): void {
    this.clearTimer('connectTimer');
    const now = Date.now();
    this.record.live(now);
    this.heartbeat.armIdleCheck(now);
    this.setState('live');
    this.reconnect.onLive();
    this.log.info(
      { symbols: this.wildcard ? '*' : this.symbols.length, attempt: this.record.connectAttempts },
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
    this.record.ended(reason, error);
    this.gaps.onSessionEnded(reason, this.record.everLive);
    this.log.warn({ reason, wasLive, err: error ?? undefined }, 'Massive socket session ended');
    if (this.stopped) {
      this.setState('closed');
      return;
    }
    const delay = this.reconnect.nextDelay(longBackoff);
    this.setState('backoff');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private failFatal(error: MassiveError): void {
    if (this.socket) this.endSession(this.socket);
    this.clearTimer('reconnectTimer');
    this.record.ended(fatalReason(error), error);
    this.record.fatalError = error.message;
    this.setState('failed');
    this.log.error({ err: error }, 'Massive socket failed; not retrying');
    this.dispatch.fatal(error);
  }

  private endSession(ws: WebSocket): void {
    this.socket = null;
    this.record.liveSinceMs = null;
    this.endSessionTimers();
    discardSocket(ws);
  }

  private endSessionTimers(): void {
    this.heartbeat.stop();
    this.clearTimer('connectTimer');
    this.reconnect.onSessionEnded();
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

  private clearTimer(name: 'reconnectTimer' | 'connectTimer'): void {
    const timer = this[name];
    if (timer) clearTimeout(timer);
    this[name] = null;
  }
}

function fatalReason(error: MassiveError): string {
  if (error instanceof MassiveAuthError) return 'auth_failed';
  return error instanceof MassiveKeyInUseError ? 'max_connections' : 'fatal error';
}
