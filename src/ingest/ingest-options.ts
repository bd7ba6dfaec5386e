import type { CommitPort } from '../domain/commit-port';
import type { BarClosedListener } from '../domain/minute-bar';
import type { StoredBar } from '../domain/stored-bar';
import type { TickData, TickSource } from '../domain/tick';
import type { Logger } from '../logger';
import type { MinuteBarAggregator } from './bars/aggregator';
import type { DirtyBarSource, ReplacingBarStore } from './bars/bar-store';
import type { Pipeline, TickListener } from './pipeline';

/** What ingest needs of the database: the ohlcv repository satisfies it. */
export interface IngestBarStore extends ReplacingBarStore {
  /** Newest stored minute start (Unix ms) per symbol, of `onlySymbols` when given. */
  latestMinutePerSymbol(onlySymbols?: readonly string[]): Promise<Map<string, number>>;
  /** Stored minutes of one symbol in [fromMs, toMs] (minute starts), for REST re-checks. */
  readBarRange(symbol: string, fromMs: number, toMs: number): Promise<StoredBar[]>;
}

/** The live WebSocket feed (Massive, or the simulator speaking its protocol). */
export interface IngestFeed {
  wsUrl: string;
  apiKey: string;
  /** The whole universe; `['*']` = everything (one socket only). */
  symbols: readonly string[];
  /** Sockets, 1..3, over disjoint symbol sets. */
  connections: number;
  source: TickSource;
  /** How far ahead of the local clock a window may start. */
  maxFutureMs: number;
  /** Replace a socket silent this long (undefined: the connection default, off). */
  noDataTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Evictions (max_connections) within evictionWindowMs that stop a socket for good (0: never). */
  evictionLimit?: number;
  evictionWindowMs?: number;
  /** Wait after an eviction before reconnecting (jittered to 50–100 % of it). */
  maxConnectionsBackoffMs?: number;
}

/** The REST aggregates endpoint that fills gaps (socket drops, restarts). */
export interface IngestBackfill {
  restUrl: string;
  apiKey: string;
  source: TickSource;
  maxFutureMs: number;
  /** Longest gap fetched, counted back from its end. */
  maxMinutes: number;
}

/** Where ingest delivers what it produces. Every sink is called synchronously. */
export interface IngestSinks {
  /** Merged stored values of every row a flush or a backfill changed (GraphQL barUpdated). */
  barsStored?: (bars: StoredBar[]) => void;
  /** Duration of every successful flush statement, ms (a Prometheus histogram). */
  flushLatency?: (ms: number) => void;
  /** Every tick that changed a bar; O(1), no I/O (the pattern engine's onTick). */
  tickListeners?: readonly TickListener[];
  /** Every bar once, when it closes (the pattern engine's onBarClosed). */
  barClosedListeners?: readonly BarClosedListener[];
}

export interface IngestTuning {
  flushIntervalMs: number;
  flushBatchSize: number;
  /** Writer retry backoff after a failed flush (defaults: the writer's own). */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

/** Measurement seams for benches; production passes none. */
export interface IngestProbe {
  /** Stands between the aggregator and the writer (e.g. to follow deltas to their flush). */
  barSource?(aggregator: MinuteBarAggregator): DirtyBarSource;
  /** How a frame's valid ticks enter the pipeline (default: pipeline.handleTicks). */
  frameTicks?(pipeline: Pipeline): (ticks: readonly TickData[]) => void;
}

export interface IngestOptions {
  store: IngestBarStore;
  logger: Logger;
  tuning: IngestTuning;
  sinks?: IngestSinks;
  /** No feed: the caller drives `pipeline` directly (test harnesses). */
  feed?: IngestFeed;
  /** No backfill: gaps are not filled. */
  backfill?: IngestBackfill;
  /**
   * Restart guard (default true): bars of minutes up to the newest stored one are seeded with
   * their stored rows before their seconds are written, and each symbol's newest stored minute
   * is backfilled up to live data.
   */
  seedFromStore?: boolean;
  /** Corrections and REST re-checks (defaults: CORRECTION_DEFAULTS). */
  corrections?: Partial<IngestCorrections>;
  /**
   * The feed's clock (Unix ms): the wall clock for Massive, the simulator's for the simulator.
   * Re-checks fall due by it, and a restart while the feed is quiet backfills up to it.
   */
  clock?: () => number;
  probe?: IngestProbe;
  /**
   * Told of every bar write (flush, correction, backfill replace) for exactly the symbols it
   * touches, so the API's read cache stays exact (absent: nobody caches).
   */
  commits?: CommitPort;
}

/** How ingest meets re-broadcast seconds and REST's lag (PRODUCT §1). */
export interface IngestCorrections {
  /** CORRECTION_WINDOW_MINUTES: how long after a minute ends its seconds can still change. */
  windowMs: number;
  /** RECONCILE_SYMBOLS: every closed minute of these is compared with REST (`*` = all). */
  reconcileSymbols: readonly string[];
  /** RECONCILE_REQUESTS_PER_MINUTE: REST budget of re-checks and reconciliation together. */
  requestsPerMinute: number;
  /** After a symbol's oldest minute is due, wait this long so one request covers several. */
  batchDelayMs: number;
}

export const CORRECTION_DEFAULTS: IngestCorrections = {
  windowMs: 16 * 60_000,
  reconcileSymbols: [],
  requestsPerMinute: 600,
  batchDelayMs: 4 * 60_000,
};
