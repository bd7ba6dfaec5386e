import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createQuietLogger, type Logger } from '../../logger';
import { CorrectionSchedule, type Correction } from './corrections';
import { FeedGenerator, type SimAggregate } from './generator';
import { MinuteBook } from './minute-book';
import { hashString } from './random';
import {
  DEFAULT_SIMULATOR_OPTIONS,
  validateSimulatorOptions,
  type SimulatorOptions,
} from './simulator-options';
import { SimulatorRest } from './simulator-rest';
import {
  emptySimulatorCounters,
  SimulatorSocket,
  type SimulatorClientInfo,
  type SimulatorCounters,
} from './simulator-socket';
import { simulatorSymbols } from './universe';

export { DEFAULT_SIMULATOR_OPTIONS, IDEAL_FEED, type SimulatorOptions } from './simulator-options';

/** Realtime catch-up is cut into slices so one tick never blocks the loop for long. */
const MAX_SECONDS_PER_TICK = 600;

/**
 * A Massive-compatible feed on one HTTP port: the WebSocket protocol (any path, e.g. `/stocks`)
 * and `GET /v2/aggs/ticker/{sym}/range/1/minute/{from}/{to}`, both from the same deterministic
 * generator. It behaves as Massive documents its feed: seconds are re-broadcast with late
 * trades (corrections), REST publishes a minute only some time after it ends and reflects the
 * corrections broadcast so far, a newer socket on a key evicts the oldest, a socket that does
 * not authenticate in time is closed. Every broadcast second is recorded into minute bars
 * whether or not a client is subscribed.
 */
export class MassiveSimulator {
  readonly symbols: readonly string[];
  private readonly options: SimulatorOptions;
  private readonly generator: FeedGenerator;
  private readonly corrections: CorrectionSchedule;
  private readonly book: MinuteBook;
  private readonly log: Logger;
  private readonly stats: SimulatorCounters = emptySimulatorCounters();
  private readonly sockets = new Map<number, SimulatorSocket>();
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextSocketId = 1;
  private nextAuthSeq = 1;
  private generatedUntilMs: number;
  /** Where the broadcast feed starts; seconds before it (the history) go to REST only. */
  private readonly liveFromMs: number;
  private wallStartMs = 0;
  private feedAtWallStartMs = 0;
  private stalledAll = false;
  private readonly rest: SimulatorRest;

  constructor(options: Partial<SimulatorOptions> = {}) {
    const defined = Object.fromEntries(
      Object.entries(options).filter(([, value]) => value !== undefined),
    );
    this.options = { ...DEFAULT_SIMULATOR_OPTIONS, ...(defined as Partial<SimulatorOptions>) };
    validateSimulatorOptions(this.options);
    this.symbols = this.options.symbols
      ? [...this.options.symbols]
      : simulatorSymbols(this.options.symbolCount);
    this.generator = new FeedGenerator({
      seed: this.options.seed,
      symbols: this.symbols,
      eventsPerSecond: this.options.eventsPerSecond,
    });
    this.corrections = new CorrectionSchedule({
      seed: this.options.seed,
      rate: this.options.correctionRate,
      minDelayMs: this.options.correctionMinDelayMs,
      maxDelayMs: this.options.correctionMaxDelayMs,
      repeatRate: this.options.correctionRepeatRate,
    });
    this.liveFromMs = Math.floor((this.options.startMs ?? Date.now()) / 1000) * 1000;
    const history = this.options.history;
    this.generatedUntilMs =
      history === undefined ? this.liveFromMs : Math.floor(history.fromMs / 1000) * 1000;
    const historyMinutes = Math.ceil((this.liveFromMs - this.generatedUntilMs) / 60_000);
    this.book = new MinuteBook(this.options.retainMinutes + historyMinutes);
    this.log = (this.options.logger ?? createQuietLogger()).child({ component: 'simulator' });
    this.rest = new SimulatorRest(this.book, this.stats, {
      acceptsKey: (key) => this.acceptsKey(key),
      pageSize: this.options.restPageSize,
      completeBeforeMs: () => this.generatedUntilMs,
      lagMs: (symbol, minuteStartMs) => this.restLagMs(symbol, minuteStartMs),
    });
  }

  /** Listens on `port` (0 = any free port) on 127.0.0.1 unless `host` says otherwise. */
  async start(
    port = 0,
    host = '127.0.0.1',
  ): Promise<{ wsUrl: string; restUrl: string; port: number }> {
    if (this.server) throw new Error('simulator already started');
    const server = http.createServer((req, res) => this.rest.handle(req, res));
    const wss = new WebSocketServer({ server, autoPong: false, perMessageDeflate: false });
    wss.on('connection', (ws) => this.onConnection(ws));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (this.options.clock === 'realtime') {
      this.wallStartMs = Date.now();
      this.feedAtWallStartMs = this.liveFromMs;
      this.timer = setInterval(() => this.tick(), this.options.tickIntervalMs);
    }
    const address = server.address() as AddressInfo;
    const base = `${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    this.log.info({ port: address.port, symbols: this.symbols.length }, 'simulator listening');
    return { wsUrl: `ws://${base}/stocks`, restUrl: `http://${base}`, port: address.port };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const socket of this.sockets.values()) socket.terminate();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (this.wss) await new Promise<void>((resolve) => this.wss!.close(() => resolve()));
    this.wss = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Feed time up to which every second has been generated (exclusive end). */
  now(): number {
    return this.generatedUntilMs;
  }

  /** The history stretch served by REST only, or null. */
  history(): { fromMs: number; toMs: number } | null {
    return this.options.history ?? null;
  }

  /** Whether `history` is still being generated (its REST answers are incomplete until then). */
  historyPending(): boolean {
    return this.generatedUntilMs < this.liveFromMs;
  }

  /**
   * Generates (and sends) every second that ends at or before `untilMs`, with the corrections
   * that fall due on the way; returns the number of events. The manual clock's only driver;
   * also usable for as-fast-as-possible benches.
   */
  advance(untilMs: number): number {
    let total = 0;
    const batch: SimAggregate[] = [];
    const due: Correction[] = [];
    const onGenerated = this.options.onEventsGenerated;
    while (this.generatedUntilMs + 1000 <= untilMs) {
      if (
        this.generatedUntilMs >= (this.options.history?.toMs ?? Infinity) &&
        this.historyPending()
      ) {
        this.skipToLive();
        continue;
      }
      const events = this.generator.generateSecond(this.generatedUntilMs);
      this.generatedUntilMs += 1000;
      const broadcastMs = this.generatedUntilMs;
      this.book.record(events);
      this.corrections.offer(events);
      if (broadcastMs <= this.liveFromMs) {
        this.applyCorrections(broadcastMs, due);
        continue;
      }
      let second: readonly SimAggregate[] = events;
      if (this.corrections.pending > 0) {
        due.length = 0;
        this.corrections.take(broadcastMs, due);
        if (due.length > 0) {
          const all = events.slice();
          for (let i = 0; i < due.length; i++) {
            this.book.correct(due[i].previous, due[i].next);
            all.push(due[i].next);
          }
          this.stats.correctionsGenerated += due.length;
          second = all;
        }
      }
      onGenerated?.(second, broadcastMs);
      for (let i = 0; i < second.length; i++) batch.push(second[i]);
      if (batch.length >= this.options.maxEventsPerFrame) total += this.publish(batch.splice(0));
    }
    if (batch.length > 0) total += this.publish(batch);
    return total;
  }

  /** History seconds: corrections due by `untilMs` reach REST only, like the seconds. */
  private applyCorrections(untilMs: number, due: Correction[]): void {
    if (this.corrections.pending === 0) return;
    due.length = 0;
    this.corrections.take(untilMs, due);
    for (let i = 0; i < due.length; i++) this.book.correct(due[i].previous, due[i].next);
  }

  /**
   * From the end of the history to the live start: no seconds (a market closed overnight).
   * Every correction still scheduled for a history second reaches REST now (the schedule is
   * visited second by second), so none is broadcast live as a stray second of the history.
   */
  private skipToLive(): void {
    const due: Correction[] = [];
    const last = this.generatedUntilMs + this.options.correctionMaxDelayMs;
    for (let t = this.generatedUntilMs; t <= last; t += 1000) this.applyCorrections(t, due);
    this.generatedUntilMs = this.liveFromMs;
  }

  /** Terminates every client socket abruptly (no close frame), like a network drop. */
  dropConnections(): number {
    const count = this.sockets.size;
    for (const socket of this.sockets.values()) socket.terminate();
    return count;
  }

  /**
   * Stops sending anything and answering pings, keeping TCP open. `existingOnly`: only the sockets
   * open now stall, new ones work (so a client can replace its stalled socket). `stall(false)`
   * resumes everything (events generated meanwhile are not replayed; REST still has them).
   */
  stall(on: boolean, options: { existingOnly?: boolean } = {}): void {
    if (on) {
      for (const socket of this.sockets.values()) socket.stalled = true;
      this.stalledAll = !options.existingOnly;
      return;
    }
    this.stalledAll = false;
    for (const socket of this.sockets.values()) {
      socket.stalled = false;
      socket.greet();
    }
  }

  /**
   * Massive's server-initiated disconnect: `force_disconnect`, then close, on one client (by
   * id) or all; returns how many were told.
   */
  forceDisconnect(clientId?: number): number {
    return this.sendStatus('force_disconnect', 'Connection closed by the server', true, clientId);
  }

  /**
   * `slow_consumer` on one client (by id) or all, then close unless `close` is false (the
   * server warns a client that cannot keep up, and drops it).
   */
  slowConsumer(clientId?: number, close = true): number {
    return this.sendStatus(
      'slow_consumer',
      'Your connection is falling behind; you are being disconnected',
      close,
      clientId,
    );
  }

  /** Sends `text` verbatim to every open socket (malformed-frame injection). */
  sendRaw(text: string): void {
    for (const socket of this.sockets.values()) socket.sendRaw(text);
  }

  /** The next `count` REST requests fail with `status` (and Retry-After when given). */
  injectRestFailures(count: number, status = 500, retryAfterSeconds: number | null = null): void {
    this.rest.injectFailures(count, status, retryAfterSeconds);
  }

  /** What the simulator counted (tests assert on these, e.g. no reconnect storm). */
  status(): SimulatorCounters {
    return { ...this.stats };
  }

  clients(): SimulatorClientInfo[] {
    return [...this.sockets.values()].map((socket) => socket.status());
  }

  /** Bytes queued on all client sockets (backpressure for benches). */
  bufferedAmount(): number {
    let total = 0;
    for (const socket of this.sockets.values()) total += socket.bufferedAmount;
    return total;
  }

  private tick(): void {
    const target =
      this.feedAtWallStartMs + (Date.now() - this.wallStartMs) * this.options.acceleration;
    this.advance(Math.min(target, this.generatedUntilMs + MAX_SECONDS_PER_TICK * 1000));
  }

  /** Feed ms after a minute's end before REST publishes it: fixed per (symbol, minute, seed). */
  restLagMs(symbol: string, minuteStartMs: number): number {
    const { restLagMinMs: min, restLagMaxMs: max } = this.options;
    if (max <= min) return min;
    const unit = hashString(`${symbol}|${minuteStartMs}|${this.options.seed}`) / 4294967296;
    return min + Math.floor(unit * (max - min + 1));
  }

  private sendStatus(status: string, message: string, close: boolean, clientId?: number): number {
    let told = 0;
    for (const socket of this.sockets.values()) {
      if (clientId !== undefined && socket.id !== clientId) continue;
      if (!socket.open) continue;
      socket.sendStatus(status, message, close);
      this.stats.statusesInjected++;
      told++;
    }
    return told;
  }

  private publish(events: SimAggregate[]): number {
    this.stats.eventsGenerated += events.length;
    for (const socket of this.sockets.values()) {
      socket.deliver(events, this.options.maxEventsPerFrame, this.options.onEventsSent);
    }
    return events.length;
  }

  private onConnection(ws: WebSocket): void {
    this.stats.connectionsAccepted++;
    const id = this.nextSocketId++;
    const socket = new SimulatorSocket(id, ws, {
      counters: this.stats,
      acceptsKey: (key) => this.acceptsKey(key),
      authTimeoutMs: this.options.authTimeoutMs,
      admit: (newcomer) => this.admit(newcomer),
    });
    this.sockets.set(id, socket);
    ws.on('close', () => this.sockets.delete(id));
    ws.on('error', (error) => this.log.debug({ err: error, client: id }, 'client socket error'));
    socket.stalled = this.stalledAll;
    socket.greet();
  }

  /** Like Massive: the newest socket on a key wins; the oldest beyond the limit is evicted. */
  private admit(newcomer: SimulatorSocket): void {
    newcomer.authenticatedSeq = this.nextAuthSeq++;
    const sameKey = [...this.sockets.values()]
      .filter((s) => s !== newcomer && s.authenticated && s.open && s.key === newcomer.key)
      .sort((a, b) => a.authenticatedSeq - b.authenticatedSeq);
    const excess = sameKey.length + 1 - this.options.maxConnections;
    for (let i = 0; i < excess; i++) sameKey[i].evict();
  }

  private acceptsKey(key: string): boolean {
    return this.options.apiKey === null ? key.length > 0 : key === this.options.apiKey;
  }
}
