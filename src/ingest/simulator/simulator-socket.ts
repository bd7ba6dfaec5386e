import WebSocket from 'ws';
import { parseChannels, parseClientAction, statusFrame } from '../massive/protocol';
import type { SimAggregate } from './generator';

/** What the simulator counts; tests assert on these (e.g. no reconnect storm). */
export interface SimulatorCounters {
  connectionsAccepted: number;
  authAttempts: number;
  authFailures: number;
  /** Sockets closed with `auth_timeout` (never authenticated in time). */
  authTimeouts: number;
  /** Older sockets evicted (`max_connections`) by a newer one on the same key. */
  evictions: number;
  /** `slow_consumer` / `force_disconnect` (or other) statuses sent through the controls. */
  statusesInjected: number;
  subscribeMessages: number;
  restRequests: number;
  restFailuresServed: number;
  eventsGenerated: number;
  /** Of eventsGenerated: re-broadcast seconds (later versions). */
  correctionsGenerated: number;
  eventsSent: number;
  framesSent: number;
  rawFramesSent: number;
}

export function emptySimulatorCounters(): SimulatorCounters {
  return {
    connectionsAccepted: 0,
    authAttempts: 0,
    authFailures: 0,
    authTimeouts: 0,
    evictions: 0,
    statusesInjected: 0,
    subscribeMessages: 0,
    restRequests: 0,
    restFailuresServed: 0,
    eventsGenerated: 0,
    correctionsGenerated: 0,
    eventsSent: 0,
    framesSent: 0,
    rawFramesSent: 0,
  };
}

/** Decisions the socket needs from the server. */
export interface SocketPolicy {
  acceptsKey(key: string): boolean;
  /** This socket just authenticated: make room for it (evict the oldest over the limit). */
  admit(socket: SimulatorSocket): void;
  /** Wall ms before an unauthenticated socket gets `auth_timeout` (0 = never). */
  authTimeoutMs: number;
  counters: SimulatorCounters;
}

const MAX_CONNECTIONS_MESSAGE =
  'Maximum number of websocket connections exceeded. You have reached the connection limit for your account.';

export interface SimulatorClientInfo {
  id: number;
  authenticated: boolean;
  /** Order of authentication among all sockets (eviction takes the lowest first); 0 = not yet. */
  authenticatedSeq: number;
  stalled: boolean;
  /** Sorted subscribed symbols; `['*']` for a wildcard subscription. */
  subscriptions: string[];
  eventsSent: number;
}

/** One client socket on the simulator, speaking Massive's protocol. */
export class SimulatorSocket {
  authenticated = false;
  authenticatedSeq = 0;
  key: string | null = null;
  stalled = false;
  eventsSent = 0;
  private greeted = false;
  private wildcard = false;
  private readonly subscribed = new Set<string>();
  private authTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    private readonly policy: SocketPolicy,
  ) {
    this.armAuthTimer();
    ws.on('close', () => this.clearAuthTimer());
    ws.on('message', (data: WebSocket.RawData) => {
      if (!this.stalled)
        this.onMessage(
          Buffer.isBuffer(data)
            ? data.toString('utf8')
            : Buffer.from(data as ArrayBuffer).toString('utf8'),
        );
    });
    // autoPong is off on the server: a stalled socket must stop answering pings, like a hung peer.
    ws.on('ping', (payload: Buffer) => {
      if (!this.stalled && ws.readyState === WebSocket.OPEN) ws.pong(payload);
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends the `connected` status once (held back while stalled). */
  greet(): void {
    if (this.greeted || this.stalled) return;
    this.greeted = true;
    this.send(statusFrame('connected', 'Connected Successfully'));
  }

  /** Sends the events this socket subscribed to, `maxPerFrame` per frame; returns those sent. */
  deliver(
    events: readonly SimAggregate[],
    maxPerFrame: number,
    onSent?: (id: number, sent: SimAggregate[]) => void,
  ): number {
    if (!this.authenticated || this.stalled || !this.open) return 0;
    if (!this.wildcard && this.subscribed.size === 0) return 0;
    const mine = this.wildcard ? events : events.filter((event) => this.subscribed.has(event.sym));
    for (let i = 0; i < mine.length; i += maxPerFrame) {
      const chunk = mine.slice(i, i + maxPerFrame);
      this.send(JSON.stringify(chunk));
      this.policy.counters.framesSent++;
      onSent?.(this.id, chunk);
    }
    this.eventsSent += mine.length;
    this.policy.counters.eventsSent += mine.length;
    return mine.length;
  }

  sendRaw(text: string): void {
    if (!this.open) return;
    this.send(text);
    this.policy.counters.rawFramesSent++;
  }

  /**
   * Sends one status event and, when `close`, closes the socket after it (Massive's
   * `force_disconnect`, `slow_consumer`). A stalled socket sends nothing; it is only dropped.
   */
  sendStatus(status: string, message: string, close: boolean): void {
    if (!this.open) return;
    if (this.stalled) {
      if (close) this.ws.terminate();
      return;
    }
    this.send(statusFrame(status, message));
    if (close) this.ws.close(1008, status);
  }

  /** A newer socket on the same key took this one's place. */
  evict(): void {
    this.policy.counters.evictions++;
    this.sendStatus('max_connections', MAX_CONNECTIONS_MESSAGE, true);
  }

  status(): SimulatorClientInfo {
    return {
      id: this.id,
      authenticated: this.authenticated,
      authenticatedSeq: this.authenticatedSeq,
      stalled: this.stalled,
      subscriptions: this.wildcard ? ['*'] : [...this.subscribed].sort(),
      eventsSent: this.eventsSent,
    };
  }

  terminate(): void {
    this.ws.terminate();
  }

  private onMessage(text: string): void {
    const action = parseClientAction(text);
    if (action === null) {
      this.send(statusFrame('error', 'invalid message'));
      return;
    }
    switch (action.action) {
      case 'auth':
        this.onAuth(action.params);
        return;
      case 'subscribe':
        this.onSubscription('subscribe', action.params);
        return;
      case 'unsubscribe':
        this.onSubscription('unsubscribe', action.params);
        return;
      default:
        this.send(statusFrame('error', `unknown action: ${action.action.slice(0, 30)}`));
    }
  }

  private onAuth(key: string): void {
    const counters = this.policy.counters;
    counters.authAttempts++;
    if (this.authenticated) {
      this.send(statusFrame('auth_success', 'authenticated'));
      return;
    }
    if (!this.policy.acceptsKey(key)) {
      counters.authFailures++;
      this.send(statusFrame('auth_failed', 'authentication failed'));
      this.ws.close(1008, 'authentication failed');
      return;
    }
    this.clearAuthTimer();
    this.authenticated = true;
    this.key = key;
    this.policy.admit(this);
    this.send(statusFrame('auth_success', 'authenticated'));
  }

  private armAuthTimer(delayMs = this.policy.authTimeoutMs): void {
    if (delayMs <= 0) return;
    this.authTimer = setTimeout(() => {
      this.authTimer = null;
      if (this.authenticated || !this.open) return;
      // A stalled server is hung: it times nobody out until it resumes.
      if (this.stalled) return this.armAuthTimer();
      this.policy.counters.authTimeouts++;
      this.sendStatus('auth_timeout', 'authentication timed out', true);
    }, delayMs);
    this.authTimer.unref();
  }

  private clearAuthTimer(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  private onSubscription(action: 'subscribe' | 'unsubscribe', params: string): void {
    if (!this.authenticated) {
      this.send(statusFrame('error', 'not authorized'));
      return;
    }
    if (action === 'subscribe') this.policy.counters.subscribeMessages++;
    const acks: { ev: 'status'; status: string; message: string }[] = [];
    for (const { prefix, symbol } of parseChannels(params)) {
      const channel = `${prefix}.${symbol}`;
      // Only per-second aggregates are generated; other channels are acknowledged but stay quiet.
      if (prefix === 'A') {
        if (symbol === '*') this.wildcard = action === 'subscribe';
        else if (action === 'subscribe') this.subscribed.add(symbol);
        else this.subscribed.delete(symbol);
      }
      acks.push({ ev: 'status', status: 'success', message: `${action}d to: ${channel}` });
    }
    if (acks.length > 0) this.send(JSON.stringify(acks));
  }

  private send(text: string): void {
    // A send on a socket that is closing fails asynchronously; the close handler cleans up.
    this.ws.send(text, () => undefined);
  }
}
