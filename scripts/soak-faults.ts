/**
 * The soak's fault drill: each fault is injected, then the drill waits (event-driven, with a
 * deadline) until the app has recovered from it before the next one.
 */
import { Client } from 'pg';
import WebSocket from 'ws';
import type { RunningApp } from '../src/app';
import type { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import type { TcpProxy } from '../testkit/tcp-proxy';
import { sleep, waitFor } from '../testkit/wait';

export type FaultKind =
  | 'socket-drop'
  | 'stall-all'
  | 'stall-existing'
  | 'malformed-frames'
  | 'eviction'
  | 'db-cut'
  | 'db-terminate';

/** Frames the feed must reject, each with the reason(s) it should be counted under. */
export const MALFORMED_FRAMES: ReadonlyArray<{ text: string; badEvents: number }> = [
  { text: '{"ev":"A","sym":"AAPL"', badEvents: 1 }, // truncated JSON
  { text: '{"ev":"A","sym":"AAPL","o":1}', badEvents: 1 }, // not an array
  { text: '[42]', badEvents: 1 }, // element not an object
  { text: '[{"ev":"XQ","sym":"AAPL"}]', badEvents: 1 }, // unknown event
  { text: '[{"ev":"A","sym":"AAPL","o":1,"h":2,"l":1}]', badEvents: 1 }, // missing fields
  {
    text: '[{"ev":"A","sym":"AAPL","o":5,"h":4,"l":6,"c":5,"v":10,"s":1700000000000,"e":1700000001000}]',
    badEvents: 1,
  }, // h < l
  {
    text: '[{"ev":"A","sym":"AAPL","o":-1,"h":2,"l":1,"c":1.5,"v":10,"s":1700000000000,"e":1700000001000}]',
    badEvents: 1,
  }, // negative
  {
    text: '[{"ev":"A","sym":"bad sym!","o":1,"h":2,"l":1,"c":1.5,"v":10,"s":1700000000000,"e":1700000001000}]',
    badEvents: 1,
  }, // bad symbol
  {
    text: '[{"ev":"A","sym":"AAPL","o":1,"h":2,"l":1,"c":1.5,"v":10,"s":99999999999999,"e":99999999999999}]',
    badEvents: 1,
  }, // absurd time
  {
    text: '[{"ev":"A","sym":"AAPL","o":"1.0","h":2,"l":1,"c":1.5,"v":10,"s":1700000000000,"e":1700000001000}]',
    badEvents: 1,
  }, // string price
];

export interface FaultDeps {
  sim: MassiveSimulator;
  /** The feed's URL and the app's key, for another client on the same key (eviction). */
  wsUrl: string;
  apiKey: string;
  app: RunningApp;
  /** null on PGlite: database faults are skipped. */
  proxy: TcpProxy | null;
  /** Admin URL and the app's database name, for pg_terminate_backend (PostgreSQL only). */
  adminUrl: string | null;
  databaseName: string | null;
  /** Longer than the app's heartbeat detection (pings + no-data timeout). */
  stallMs: number;
  dbOutageMs: number;
  recoveryTimeoutMs: number;
  log: (line: string) => void;
}

export interface FaultRecord {
  kind: FaultKind;
  atIso: string;
  detail: string;
  recoveredMs: number;
}

export class FaultDrill {
  readonly records: FaultRecord[] = [];
  readonly counts: Record<FaultKind, number> = {
    'socket-drop': 0,
    'stall-all': 0,
    'stall-existing': 0,
    'malformed-frames': 0,
    eviction: 0,
    'db-cut': 0,
    'db-terminate': 0,
  };
  /** Bad events written to sockets (each frame goes to every open socket). */
  badEventsSent = 0;
  dbConnectionsKilled = 0;

  constructor(private readonly deps: FaultDeps) {}

  /** The kinds this setup can inject, in the order the drill cycles through them. */
  kinds(): FaultKind[] {
    const feed: FaultKind[] = [
      'socket-drop',
      'eviction',
      'malformed-frames',
      'stall-all',
      'stall-existing',
    ];
    if (this.deps.proxy === null) return feed;
    return [
      'socket-drop',
      'eviction',
      'db-cut',
      'malformed-frames',
      'stall-all',
      'db-terminate',
      'stall-existing',
    ];
  }

  async inject(wanted: FaultKind): Promise<FaultRecord> {
    const started = Date.now();
    // One stranger on the key per soak: a second eviction of the same socket within the app's
    // window would (rightly) stop it for good.
    const kind: FaultKind =
      wanted === 'eviction' && this.counts.eviction > 0 ? 'socket-drop' : wanted;
    let detail: string;
    switch (kind) {
      case 'eviction':
        detail = await this.strangerOnTheKey();
        await this.waitFeedRecovered(started);
        break;
      case 'socket-drop':
        detail = `${this.deps.sim.dropConnections()} sockets terminated`;
        await this.waitFeedRecovered(started);
        break;
      case 'stall-all':
      case 'stall-existing': {
        const reconnectsBefore = this.reconnects();
        this.deps.sim.stall(true, { existingOnly: kind === 'stall-existing' });
        await sleep(this.deps.stallMs);
        const detected = this.reconnects() > reconnectsBefore || !this.allLive();
        this.deps.sim.stall(false);
        detail = `stalled ${this.deps.stallMs} ms (${kind === 'stall-all' ? 'new sockets too' : 'open sockets only'}); detected by heartbeat: ${detected}`;
        await this.waitFeedRecovered(started);
        break;
      }
      case 'malformed-frames': {
        const sockets = this.deps.sim.clients().length;
        for (const frame of MALFORMED_FRAMES) {
          this.deps.sim.sendRaw(frame.text);
          this.badEventsSent += frame.badEvents * sockets;
        }
        detail = `${MALFORMED_FRAMES.length} bad frames × ${sockets} sockets`;
        await this.waitFeedRecovered(started);
        break;
      }
      case 'db-cut': {
        const proxy = this.deps.proxy!;
        const reset = proxy.cut();
        this.dbConnectionsKilled += reset;
        await sleep(this.deps.dbOutageMs);
        proxy.restore();
        detail = `proxy cut ${this.deps.dbOutageMs} ms, ${reset} connections reset`;
        await this.waitWriterRecovered(Date.now());
        break;
      }
      case 'db-terminate': {
        const killed = await this.terminateBackends();
        this.dbConnectionsKilled += killed;
        detail = `pg_terminate_backend on ${killed} app connections`;
        await this.waitWriterRecovered(Date.now());
        break;
      }
    }
    this.counts[kind]++;
    const record: FaultRecord = {
      kind,
      atIso: new Date(started).toISOString(),
      detail,
      recoveredMs: Date.now() - started,
    };
    this.records.push(record);
    this.deps.log(`fault ${kind}: ${detail}; recovered in ${record.recoveredMs} ms`);
    return record;
  }

  /**
   * Another client authenticates with the app's key: the feed evicts the app's oldest socket
   * (`max_connections`); the stranger leaves, and the app must come back without flapping.
   */
  private async strangerOnTheKey(): Promise<string> {
    const evictionsBefore = this.deps.sim.status().evictions;
    const stranger = new WebSocket(this.deps.wsUrl);
    await new Promise<void>((resolve, reject) => {
      stranger.once('open', () => resolve());
      stranger.once('error', reject);
    });
    stranger.send(JSON.stringify({ action: 'auth', params: this.deps.apiKey }));
    await waitFor(
      () => this.deps.sim.status().evictions > evictionsBefore,
      'the feed to evict the oldest socket',
      this.deps.recoveryTimeoutMs,
      20,
    );
    await sleep(500);
    stranger.close();
    return `another client on the key: ${this.deps.sim.status().evictions - evictionsBefore} eviction(s)`;
  }

  reconnects(): number {
    return this.deps.app.status().connections.reduce((sum, c) => sum + c.reconnects, 0);
  }

  allLive(): boolean {
    return this.deps.app.status().connections.every((c) => c.state === 'live');
  }

  /** Every socket live again and data flowing since. */
  async waitFeedRecovered(sinceMs: number): Promise<void> {
    const processedAt = () => this.deps.app.status().ingest.ticksProcessed;
    await waitFor(
      () => this.allLive(),
      () =>
        `sockets live again: ${JSON.stringify(this.deps.app.status().connections.map((c) => c.state))}`,
      this.deps.recoveryTimeoutMs,
      50,
    );
    const before = processedAt();
    await waitFor(
      () => processedAt() > before,
      'ticks flowing after recovery',
      this.deps.recoveryTimeoutMs,
      50,
    );
    void sinceMs;
  }

  /** A flush succeeded after `sinceMs`, with no retry backlog left behind. */
  async waitWriterRecovered(sinceMs: number): Promise<void> {
    await waitFor(
      () => {
        const writer = this.deps.app.status().writer;
        return writer.lastFlushAt !== null && Date.parse(writer.lastFlushAt) > sinceMs;
      },
      () => `bar writes to resume: ${JSON.stringify(this.deps.app.status().writer)}`,
      this.deps.recoveryTimeoutMs,
      50,
    );
  }

  /** Kills the app's sessions on its own database only (never any other database's). */
  async terminateBackends(): Promise<number> {
    const client = new Client({ connectionString: this.deps.adminUrl! });
    await client.connect();
    try {
      const result = await client.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [this.deps.databaseName],
      );
      return result.rows.filter((row) => row.killed).length;
    } finally {
      await client.end();
    }
  }
}
