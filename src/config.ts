import { hostname } from 'node:os';
import { SYMBOL_PATTERN } from './domain/symbol';
import { EnvReader, type Env } from './config-env-reader';

/**
 * The one place that reads process.env. Every key is parsed once; every bad key is reported
 * together in a single ConfigError so an operator fixes them in one go.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type DatabaseConfig =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string | null /* null = in memory */ };

export interface SimulatorConfig {
  /** How many symbols the simulator streams when SYMBOLS is `*` (its default universe first). */
  symbolCount: number;
  /** Events per second, across all symbols. */
  eventsPerSecond: number;
  /** Feed-time seconds per wall-clock second (1 = real time). */
  acceleration: number;
  seed: number;
  /** Fraction of seconds the simulator re-broadcasts with late trades (Massive: a few %). */
  correctionRate: number;
}

/**
 * What a process does: `all` (one box: feed, bars, API), `ingest` (feed, bars, patterns,
 * backfill; health endpoints only; leader + standby elected through PostgreSQL), `api` (HTTP,
 * GraphQL, dashboard; no feed, no key).
 */
export type AppRole = 'all' | 'ingest' | 'api';
const ROLES: readonly AppRole[] = ['all', 'ingest', 'api'];

/** Scale-out settings; inert for ROLE=all. */
export interface ClusterConfig {
  /** Names this process in leadership status and in pg_stat_activity (default host:pid). */
  instanceId: string;
  /** API reads go here (a streaming replica); writes and election stay on DATABASE_URL. */
  readUrl: string | null;
  /** How often a standby tries for the ingest lock and a leader checks it still holds it. */
  leaderPollMs: number;
  /** A leader that has not confirmed its lock for this long stops its socket and writes. */
  leaderLeaseMs: number;
  /** Replica lag above which API reads go to the primary instead. */
  replicaMaxLagMs: number;
}

export interface AppConfig {
  role: AppRole;
  cluster: ClusterConfig;
  nodeEnv: string;
  production: boolean;
  port: number;
  logLevel: LogLevel;
  database: DatabaseConfig;
  /** null = use the built-in simulator. */
  massiveApiKey: string | null;
  massiveWsUrl: string;
  massiveRestUrl: string;
  /** `['*']` means every symbol the feed has. */
  symbols: string[];
  maxConnections: 1 | 2 | 3;
  flushIntervalMs: number;
  flushBatchSize: number;
  backfillMaxMinutes: number;
  /** How long after a minute ends its seconds may still be re-broadcast (Massive: 15 min). */
  correctionWindowMs: number;
  /** Symbols whose closed minutes are compared with REST after the window (`*` = all, [] = off). */
  reconcileSymbols: string[];
  /** REST requests per minute for re-checks and reconciliation together. */
  reconcileRequestsPerMinute: number;
  /** WebSocket ping period; a socket missing 2 pongs in a row is replaced. */
  feedPingIntervalMs: number;
  /** Replace a socket silent this long; null = automatic (off for the real feed, 30 s for the simulator). */
  feedNoDataTimeoutMs: number | null;
  /** Evictions (`max_connections`) within feedEvictionWindowMs after which a socket stops: another client uses the key. 0 = never. */
  feedEvictionLimit: number;
  feedEvictionWindowMs: number;
  /** Wait after an eviction before reconnecting (jittered to 50–100 %). */
  feedEvictionBackoffMs: number;
  simulator: SimulatorConfig;
  /** Past sessions of simulated history loaded on start when the database lacks them (0 or 1). */
  simHistorySessions: number;
  apiToken: string | null;
  redisUrl: string | null;
  patternChannel: string;
  pollMs: number;
  /** Bars and patterns older than this many days are removed in the background; null = keep all. */
  retentionDays: number | null;
  /** When set, `/metrics` needs `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken: string | null;
  /** Read cache caps: entries and estimated MiB (0 entries = no caching). */
  readCacheMaxEntries: number;
  readCacheMaxMb: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

function parseDatabase(reader: EnvReader): DatabaseConfig {
  const raw = reader.optional('DATABASE_URL');
  if (raw === null) return { kind: 'pglite', dataDir: reader.string('DATA_DIR', './data') };
  if (raw === 'memory://') return { kind: 'pglite', dataDir: null };
  if (raw.startsWith('pglite://'))
    return { kind: 'pglite', dataDir: raw.slice('pglite://'.length) };
  try {
    const url = new URL(raw);
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      reader.problems.push('DATABASE_URL must be postgres://…, pglite://<dir> or memory://');
    }
  } catch {
    reader.problems.push('DATABASE_URL is not a valid URL');
  }
  return { kind: 'postgres', url: raw };
}

function parseSymbols(reader: EnvReader, key = 'SYMBOLS', fallback = '*'): string[] {
  const raw = reader.string(key, fallback);
  if (raw === '*') return ['*'];
  if (raw === '') return [];
  const symbols = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  // Tickers are case-sensitive (`BCpC` is not `BCPC`): taken exactly as written, never folded.
  const bad = symbols.filter((s) => !SYMBOL_PATTERN.test(s));
  if (symbols.length === 0) reader.problems.push(`${key} must be "*" or a comma-separated list`);
  if (bad.length > 0) {
    const hint = bad.some((s) => SYMBOL_PATTERN.test(s.toUpperCase()))
      ? ' (tickers are case-sensitive and start with an uppercase letter, e.g. AAPL, BRK.B, BCpC)'
      : '';
    reader.problems.push(`${key} has invalid tickers: ${bad.join(', ')}${hint}`);
  }
  return symbols;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const reader = new EnvReader(env);
  const nodeEnv = reader.string('NODE_ENV', 'development');
  const logLevel = reader.string('LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    reader.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const role = reader.string('ROLE', 'all') as AppRole;
  if (!ROLES.includes(role)) reader.problems.push(`ROLE must be one of ${ROLES.join(', ')}`);
  const config: AppConfig = {
    role,
    cluster: parseCluster(reader),
    nodeEnv,
    production: nodeEnv === 'production',
    port: reader.int('PORT', 4000, 0, 65535),
    logLevel,
    database: parseDatabase(reader),
    massiveApiKey: reader.optional('MASSIVE_API_KEY'),
    massiveWsUrl: reader.url('MASSIVE_WS_URL', 'wss://socket.massive.com/stocks', ['ws:', 'wss:']),
    massiveRestUrl: reader.url('MASSIVE_REST_URL', 'https://api.massive.com', ['http:', 'https:']),
    symbols: parseSymbols(reader),
    maxConnections: reader.int('MAX_CONNECTIONS', 1, 1, 3) as 1 | 2 | 3,
    flushIntervalMs: reader.int('FLUSH_INTERVAL_MS', 250, 10, 60_000),
    flushBatchSize: reader.int('FLUSH_BATCH_SIZE', 5000, 1, 10_000),
    backfillMaxMinutes: reader.int('BACKFILL_MAX_MINUTES', 24 * 60, 0, 7 * 24 * 60),
    correctionWindowMs: Math.round(
      reader.number('CORRECTION_WINDOW_MINUTES', 16, 0, 24 * 60) * 60_000,
    ),
    reconcileSymbols: parseSymbols(reader, 'RECONCILE_SYMBOLS', ''),
    reconcileRequestsPerMinute: reader.int('RECONCILE_REQUESTS_PER_MINUTE', 600, 1, 100_000),
    feedPingIntervalMs: reader.int('FEED_PING_INTERVAL_MS', 10_000, 100, 600_000),
    feedNoDataTimeoutMs:
      reader.optional('FEED_NO_DATA_TIMEOUT_MS') === null
        ? null
        : reader.int('FEED_NO_DATA_TIMEOUT_MS', 0, 0, 3_600_000),
    feedEvictionLimit: reader.int('FEED_EVICTION_LIMIT', 2, 0, 100),
    feedEvictionWindowMs: reader.int('FEED_EVICTION_WINDOW_MS', 600_000, 1_000, 86_400_000),
    feedEvictionBackoffMs: reader.int('FEED_EVICTION_BACKOFF_MS', 60_000, 100, 600_000),
    simulator: {
      symbolCount: reader.int('SIM_SYMBOLS', 50, 1, 20_000),
      eventsPerSecond: reader.int('SIM_EVENTS_PER_SECOND', 50, 1, 1_000_000),
      acceleration: reader.int('SIM_ACCELERATION', 1, 1, 3600),
      seed: reader.int('SIM_SEED', 42, 0, 2 ** 31 - 1),
      correctionRate: reader.number('SIM_CORRECTION_RATE', 0.02, 0, 0.5),
    },
    simHistorySessions: reader.int('SIM_HISTORY_SESSIONS', 1, 0, 1),
    apiToken: reader.optional('API_TOKEN'),
    redisUrl: reader.optional('REDIS_URL'),
    patternChannel: reader.string('PATTERN_CHANNEL', 'tickstock.events.patterns'),
    pollMs: reader.int('POLL_MS', 2000, 1000, 5000),
    retentionDays:
      reader.optional('RETENTION_DAYS') === null
        ? null
        : reader.int('RETENTION_DAYS', 0, 1, 36_500),
    metricsToken: reader.optional('METRICS_TOKEN'),
    readCacheMaxEntries: reader.int('READ_CACHE_MAX_ENTRIES', 20_000, 0, 10_000_000),
    readCacheMaxMb: reader.int('READ_CACHE_MAX_MB', 64, 1, 65_536),
  };
  checkCluster(config, reader);
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  return config;
}

function parseCluster(reader: EnvReader): ClusterConfig {
  const readUrl = reader.optional('DATABASE_READ_URL');
  if (readUrl !== null && !/^postgres(ql)?:\/\//.test(readUrl))
    reader.problems.push('DATABASE_READ_URL must be postgres://… (a streaming replica)');
  const leaderPollMs = reader.int('LEADER_POLL_MS', 1000, 100, 60_000);
  const leaderLeaseMs = reader.int('LEADER_LEASE_MS', 5000, 500, 120_000);
  if (leaderLeaseMs < 2 * leaderPollMs)
    reader.problems.push('LEADER_LEASE_MS must be at least twice LEADER_POLL_MS');
  return {
    instanceId: reader.string('INSTANCE_ID', `${hostname()}:${process.pid}`),
    readUrl,
    leaderPollMs,
    leaderLeaseMs,
    replicaMaxLagMs: reader.int('REPLICA_MAX_LAG_MS', 2000, 0, 3_600_000),
  };
}

/** Roles that share state across processes need a shared PostgreSQL (PGlite is one process). */
function checkCluster(config: AppConfig, reader: EnvReader): void {
  const postgres = config.database.kind === 'postgres';
  if (config.role === 'api' && !postgres)
    reader.problems.push(
      'ROLE=api needs DATABASE_URL=postgres://… (PGlite lives inside one process; use ROLE=all)',
    );
  if (config.cluster.readUrl !== null && !postgres)
    reader.problems.push('DATABASE_READ_URL needs DATABASE_URL=postgres://… (the primary)');
}

/** What start-up logs may show: never the API key, never a database password. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    role: config.role,
    ...(config.role === 'all'
      ? {}
      : {
          instanceId: config.cluster.instanceId,
          readReplica: config.cluster.readUrl === null ? 'off' : redactUrl(config.cluster.readUrl),
        }),
    nodeEnv: config.nodeEnv,
    port: config.port,
    database:
      config.database.kind === 'postgres'
        ? { kind: 'postgres', url: redactUrl(config.database.url) }
        : { kind: 'pglite', dataDir: config.database.dataDir ?? 'memory' },
    feed: config.massiveApiKey === null ? 'simulator' : redactUrl(config.massiveWsUrl),
    symbols: config.symbols.length > 10 ? `${config.symbols.length} symbols` : config.symbols,
    maxConnections: config.maxConnections,
    flushIntervalMs: config.flushIntervalMs,
    redis: config.redisUrl === null ? 'off' : redactUrl(config.redisUrl),
    apiToken: config.apiToken === null ? 'off' : 'set',
    retentionDays: config.retentionDays ?? 'keep everything',
    metricsToken: config.metricsToken === null ? 'off' : 'set',
    readCache: { maxEntries: config.readCacheMaxEntries, maxMb: config.readCacheMaxMb },
  };
}

export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    for (const key of ['apiKey', 'apikey', 'token']) {
      if (url.searchParams.has(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '<unparseable url>';
  }
}
