import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createQuietLogger, type Logger } from '../../logger';
import { FeedGenerator, type SimAggregate } from './generator';
import { MinuteBook } from './minute-book';
import { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './simulator-options';
import { SimulatorRest } from './simulator-rest';
import {
  emptySimulatorCounters,
  SimulatorSocket,
  type SimulatorClientInfo,
  type SimulatorCounters,
} from './simulator-socket';
import { simulatorSymbols } from './universe';

export { DEFAULT_SIMULATOR_OPTIONS, type SimulatorOptions } from './simulator-options';

/** Realtime catch-up is cut into slices so one tick never blocks the loop for long. */
const MAX_SECONDS_PER_TICK = 600;

/**
 * A Massive-compatible feed on one HTTP port: the WebSocket protocol (any path, e.g. `/stocks`)
 * and `GET /v2/aggs/ticker/{sym}/range/1/minute/{from}/{to}`, both from the same deterministic
 * generator. Every generated second is recorded into minute bars whether or not a client is
 * subscribed; REST serves only minutes that have fully elapsed in feed time.
 */
export class MassiveSimulator {
  readonly symbols: readonly string[];
  private readonly options: SimulatorOptions;
  private readonly generator: FeedGenerator;
  private readonly book: MinuteBook;
  private readonly log: Logger;
  private readonly stats: SimulatorCounters = emptySimulatorCounters();
  private readonly sockets = new Map<number, SimulatorSocket>();
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextSocketId = 1;
  private generatedUntilMs: number;
  private wallStartMs = 0;
  private feedAtWallStartMs = 0;
  private stalledAll = false;
  private readonly rest: SimulatorRest;

  constructor(options: Partial<SimulatorOptions> = {}) {
    const defined = Object.fromEntries(
      Object.entries(options).filter(([, value]) => value !== undefined),
    );
    this.options = { ...DEFAULT_SIMULATOR_OPTIONS, ...(defined as Partial<SimulatorOptions>) };
    this.symbols = this.options.symbols
      ? [...this.options.symbols]
      : simulatorSymbols(this.options.symbolCount);
    this.generator = new FeedGenerator({
      seed: this.options.seed,
      symbols: this.symbols,
      eventsPerSecond: this.options.eventsPerSecond,
    });
    this.book = new MinuteBook(this.options.retainMinutes);
    this.generatedUntilMs = Math.floor((this.options.startMs ?? Date.now()) / 1000) * 1000;
    this.log = (this.options.logger ?? createQuietLogger()).child({ component: 'simulator' });
    this.rest = new SimulatorRest(this.book, this.stats, {
      acceptsKey: (key) => this.acceptsKey(key),
      pageSize: this.options.restPageSize,
      completeBeforeMs: () => this.generatedUntilMs,
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
      this.feedAtWallStartMs = this.generatedUntilMs;
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

  /**
   * Generates (and sends) every second that ends at or before `untilMs`; returns the number of
   * events. The manual clock's only driver; also usable for as-fast-as-possible benches.
   */
  advance(untilMs: number): number {
    let total = 0;
    const batch: SimAggregate[] = [];
    while (this.generatedUntilMs + 1000 <= untilMs) {
      const events = this.generator.generateSecond(this.generatedUntilMs);
      this.generatedUntilMs += 1000;
      for (let i = 0; i < events.length; i++) batch.push(events[i]);
      if (batch.length >= this.options.maxEventsPerFrame) total += this.publish(batch.splice(0));
    }
    if (batch.length > 0) total += this.publish(batch);
    return total;
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

  private publish(events: SimAggregate[]): number {
    this.book.record(events);
    this.stats.eventsGenerated += events.length;
    this.options.onEventsGenerated?.(events);
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
      hasRoomFor: (key) => {
        let open = 0;
        for (const other of this.sockets.values())
          if (other.authenticated && other.key === key && other.open) open++;
        return open < this.options.maxConnections;
      },
    });
    this.sockets.set(id, socket);
    ws.on('close', () => this.sockets.delete(id));
    ws.on('error', (error) => this.log.debug({ err: error, client: id }, 'client socket error'));
    socket.stalled = this.stalledAll;
    socket.greet();
  }

  private acceptsKey(key: string): boolean {
    return this.options.apiKey === null ? key.length > 0 : key === this.options.apiKey;
  }
}
