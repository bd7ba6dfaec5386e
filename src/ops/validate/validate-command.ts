import { createDataSource } from '../../../ormconfig';
import { ConfigError, loadConfig, redactUrl } from '../../config';
import { MonitoringRepository } from '../../repositories/monitoring.repository';
import { sampleFlow, type FlowSample } from './flow-sampler';
import { InstanceClient } from './instance-client';
import { watchRedisChannels } from './redis-watch';

export const VALIDATE_USAGE = `npm run validate -- [--url http://127.0.0.1:4000] [--seconds 5]

End-to-end check of a running TickStock (the old validate_tick_flow): one ✔/✘ line per check,
exit code 1 when any check fails. Reads DATABASE_URL (PostgreSQL; an embedded PGlite belongs to
the running process and is skipped), REDIS_URL, PATTERN_CHANNEL and API_TOKEN from the environment.`;

export interface CheckLine {
  ok: boolean | null;
  name: string;
  detail: string;
}

interface Args {
  url: string;
  seconds: number;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { url: 'http://127.0.0.1:4000', seconds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const [key, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (key === '--url' && value) args.url = value;
    else if (key === '--seconds' && value && Number(value) >= 1 && Number(value) <= 120)
      args.seconds = Number(value);
    else return `unknown or bad argument "${argv[i]}"`;
  }
  return args;
}

const mark = (ok: boolean | null) => (ok === null ? '·' : ok ? '✔' : '✘');
const round = (ms: number) => Math.round(ms);

/** `validate`: returns the exit code and the check lines (also written to `out`). */
export async function runValidate(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  out: { write(text: string): void },
): Promise<{ code: number; lines: CheckLine[] }> {
  const args = parseArgs(argv);
  if (typeof args === 'string' || argv.includes('--help')) {
    out.write(`${typeof args === 'string' ? `${args}\n\n` : ''}${VALIDATE_USAGE}\n`);
    return { code: 2, lines: [] };
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.write(`${error.message}\n`);
    return { code: 2, lines: [] };
  }
  const lines: CheckLine[] = [];
  const check = (ok: boolean | null, name: string, detail: string) => {
    lines.push({ ok, name, detail });
    out.write(`${mark(ok)} ${name}: ${detail}\n`);
  };
  const instance = new InstanceClient(args.url, config.apiToken);
  const dataSource =
    config.database.kind === 'postgres' ? createDataSource(config.database, 2) : null;
  try {
    let monitoring: MonitoringRepository | null = null;
    if (dataSource !== null) {
      try {
        await dataSource.initialize();
        monitoring = new MonitoringRepository(dataSource);
      } catch (error) {
        check(
          false,
          'database',
          `${redactUrl(config.database.kind === 'postgres' ? config.database.url : '')}: ${String(error)}`,
        );
      }
    }
    const windowMs = args.seconds * 1000;
    const redisWatch =
      config.redisUrl === null
        ? null
        : watchRedisChannels(config.redisUrl, windowMs).catch((e: unknown) => e);
    let sample: FlowSample;
    try {
      sample = await sampleFlow(instance, monitoring, windowMs);
    } catch (error) {
      check(false, 'instance', `${instance.url} does not answer /api/stats: ${String(error)}`);
      await redisWatch;
      return { code: 1, lines };
    }
    reportFlow(sample, check);
    const channels = redisWatch === null ? null : await redisWatch;
    if (channels === null) check(null, 'no tick data on Redis', 'REDIS_URL not set, skipped');
    else if (!(channels instanceof Map))
      check(
        false,
        'no tick data on Redis',
        `cannot subscribe: ${channels instanceof Error ? channels.message : 'unknown error'}`,
      );
    else {
      const foreign = [...channels].filter(([channel]) => channel !== config.patternChannel);
      check(
        foreign.length === 0,
        'no tick data on Redis',
        foreign.length === 0
          ? `${args.seconds} s on every channel: only ${config.patternChannel} (${channels.get(config.patternChannel) ?? 0} messages)`
          : `messages on ${foreign.map(([c, n]) => `${c} (${n})`).join(', ')}`,
      );
    }
    await reportApi(instance, monitoring, sample, check);
    if (monitoring === null) {
      check(null, 'monitoring queries', 'no PostgreSQL DATABASE_URL, skipped');
      check(null, 'daily roll-up exact', 'no PostgreSQL DATABASE_URL, skipped');
    } else {
      const recent = await monitoring.recentWrites();
      const symbols = await monitoring.barsPerSymbolLastHour();
      check(
        true,
        'monitoring queries',
        `recent_writes (5 min) = ${recent}; bars per symbol last hour: ${symbols} symbols`,
      );
      const drift = await monitoring.dailyRollupDrift();
      check(
        drift.differing === 0,
        'daily roll-up exact',
        `${drift.days} materialized (symbol, session, day) rows recomputed from their minutes: ${drift.differing} differ`,
      );
    }
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy();
  }
  return { code: lines.some((l) => l.ok === false) ? 1 : 0, lines };
}

type Check = (ok: boolean | null, name: string, detail: string) => void;

function reportFlow(sample: FlowSample, check: Check): void {
  const { first, last } = sample;
  const seconds = (sample.windowMs / 1000).toFixed(1);
  const live = last.connections.filter((c) => c.state === 'live').length;
  check(
    last.connections.length > 0 && live === last.connections.length,
    'feed sockets live',
    `${live}/${last.connections.length} (${last.connections.map((c) => `#${c.id} ${c.state}`).join(', ') || 'none'})`,
  );
  const events = last.ingest.ticksReceived - first.ingest.ticksReceived;
  check(events > 0, 'A events arriving', `${events} in ${seconds} s`);
  if (sample.rowsWritten === null) {
    const bars = last.writer.barsWritten - first.writer.barsWritten;
    check(
      bars > 0,
      'ticks turning into bars',
      `${bars} bar writes in ${seconds} s (from /api/stats; no database to watch)`,
    );
  } else {
    const sorted = [...sample.lagMs].sort((a, b) => a - b);
    const lag =
      sorted.length === 0
        ? 'no write observed'
        : `event→row lag p50 ${round(sorted[Math.floor(sorted.length / 2)])} ms, max ${round(sorted[sorted.length - 1])} ms`;
    check(
      sample.rowsWritten > 0,
      'ticks turning into bars',
      `${sample.rowsWritten} rows written in the last ${seconds} s; ${lag}`,
    );
  }
  const { ticksReceived, ticksProcessed, ticksRejected } = last.ingest;
  check(
    ticksReceived === ticksProcessed + ticksRejected,
    'counters consistent',
    `received ${ticksReceived} = processed ${ticksProcessed} + rejected ${ticksRejected}`,
  );
}

async function reportApi(
  instance: InstanceClient,
  monitoring: MonitoringRepository | null,
  sample: FlowSample,
  check: Check,
): Promise<void> {
  // The symbol with the newest bar in the database (or the first one the instance serves).
  const newest = [...sample.newest].sort((a, b) => b.minuteStartMs - a.minuteStartMs)[0];
  const symbol = newest?.symbol ?? null;
  if (symbol === null) {
    check(
      monitoring === null ? null : false,
      'REST and GraphQL serve the newest bar',
      monitoring === null ? 'no database to compare with, skipped' : 'no bar stored',
    );
    return;
  }
  try {
    const [rest, graphql] = await Promise.all([
      instance.newestRestBar(symbol),
      instance.newestGraphqlBar(symbol),
    ]);
    const iso = (ms: number | null) => (ms === null ? 'none' : new Date(ms).toISOString());
    // The feed may have moved on to the next minute since the database was read: never older.
    const ok =
      rest !== null &&
      graphql !== null &&
      rest >= newest.minuteStartMs &&
      graphql >= newest.minuteStartMs;
    check(
      ok,
      'REST and GraphQL serve the newest bar',
      `${symbol}: database ${iso(newest.minuteStartMs)}, REST ${iso(rest)}, GraphQL ${iso(graphql)}`,
    );
  } catch (error) {
    check(false, 'REST and GraphQL serve the newest bar', String(error));
  }
}
