/**
 * `npm run bench:roles`: req/s of one API instance per deployment shape, in one run on one
 * seeded primary + streaming replica pair (started under a temp dir, as the drill does):
 *   - the API as ROLE=all serves it (bench-api-server.ts: the same server, in-process services),
 *   - a ROLE=api process (the built service) on the primary,
 *   - a ROLE=api process reading through the replica (DATABASE_READ_URL),
 *   - both again with REDIS_URL and a commit stream (an idle ingest leader's beats): the read
 *     cache on, invalidated across instances.
 * Each next to the bare-SQL baseline on the same database (runApiBench). Knobs:
 * BENCH_SECONDS (10), BENCH_CONCURRENCY (32).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from '../ormconfig';
import { CommitPublisher } from '../src/cluster/commit-publisher';
import { createRedisFanout } from '../src/cluster/redis-fanout';
import type { IngestStatusSnapshot } from '../src/domain/status';
import { createQuietLogger } from '../src/logger';
import { startPrivateRedis } from '../testkit/private-redis';
import { replicaClusterUnavailable, startReplicaCluster } from '../testkit/replica-cluster';
import { waitFor } from '../testkit/wait';
import { runApiBench, type ApiBenchResult } from './bench-api';
import { seed } from './bench-api-load';
import { startBareServer } from './bench-api-bare';
import { startApiProcess, stopApiProcess } from './bench-api-server';
import { envInt } from './lib/env';
import { MemberProcess } from './lib/member-process';

const ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<number> {
  const unavailable = replicaClusterUnavailable();
  if (unavailable !== null) {
    console.error(`bench:roles needs PostgreSQL server binaries: ${unavailable}`);
    return 2;
  }
  const durationMs = envInt('BENCH_SECONDS', 10, 1, 600) * 1000;
  const concurrency = envInt('BENCH_CONCURRENCY', 32, 1, 1024);
  const results = path.join(ROOT, 'bench-results');
  mkdirSync(results, { recursive: true });
  const cluster = await startReplicaCluster();
  const redis = await startPrivateRedis(null);
  // The commit stream of an ingest leader that writes nothing: its beats keep API caches on.
  const fanout = redis === null ? null : createRedisFanout(redis.url, createQuietLogger());
  const leader =
    fanout === null ? null : new CommitPublisher('bench-leader', fanout.publishCommit, () => true);
  leader?.start();
  let primary: DataSource | null = null;
  let replica: DataSource | null = null;
  try {
    primary = await openDatabase({ kind: 'postgres', url: cluster.primaryUrl });
    await seed(primary, 100, 2_000);
    // A replica is read-only: opened without migrations (the primary ran them).
    replica = await createDataSource({ kind: 'postgres', url: cluster.replicaUrl }).initialize();
    await waitFor(
      async () =>
        Number(
          (await replica!.query<{ n: string }[]>('SELECT count(*)::text AS n FROM ohlcv_1min'))[0]
            .n,
        ) ===
        100 * 2_000,
      'the replica to have the seeded bars',
      120_000,
      100,
    );
    // The bare node:http + pg server on the same database each role reads from, same run.
    const symbols = Array.from({ length: 100 }, (_, i) => `S${String(i + 1).padStart(4, '0')}`);
    const bench = async (url: string, databaseUrl: string) => {
      const bare = await startBareServer(databaseUrl);
      try {
        return await runApiBench({
          apiUrl: url,
          bareUrl: bare.url,
          symbols,
          connections: concurrency,
          durationSeconds: durationMs / 1000,
          rounds: 1,
        });
      } finally {
        await stopApiProcess(bare.child);
      }
    };
    const out: Record<string, ApiBenchResult> = {};

    const allRole = await startApiProcess(cluster.primaryUrl);
    try {
      out['ROLE=all API (primary)'] = await bench(allRole.apiUrl, cluster.primaryUrl);
    } finally {
      await stopApiProcess(allRole.child);
    }
    const cached: Record<string, string> = redis === null ? {} : { REDIS_URL: redis.url };
    const shapes: [string, Record<string, string>, string][] = [
      ['ROLE=api (primary)', {}, cluster.primaryUrl],
      ['ROLE=api (replica)', { DATABASE_READ_URL: cluster.replicaUrl }, cluster.replicaUrl],
    ];
    if (redis !== null)
      shapes.push(
        ['ROLE=api (primary, cache)', cached, cluster.primaryUrl],
        [
          'ROLE=api (replica, cache)',
          { ...cached, DATABASE_READ_URL: cluster.replicaUrl },
          cluster.replicaUrl,
        ],
      );
    for (const [name, env, dataSource] of shapes) {
      const member = new MemberProcess(
        'bench-api',
        {
          ROLE: 'api',
          DATABASE_URL: cluster.primaryUrl,
          NODE_ENV: 'production',
          ...env,
        },
        path.join(results, 'bench-roles-api.log'),
      );
      try {
        const url = await member.url();
        if (env.REDIS_URL !== undefined)
          await waitFor(async () => {
            const stats = (await (await fetch(`${url}/api/stats`)).json()) as IngestStatusSnapshot;
            return stats.cluster?.readCache?.state === 'on';
          }, `${name}: the read cache to be on`);
        out[name] = await bench(url, dataSource);
      } finally {
        await member.stop();
      }
    }
    const rows = Object.entries(out).map(([name, r]) => ({
      name,
      sqlReqPerSec: Math.round(r.sql.reqPerSec),
      graphqlReqPerSec: Math.round(r.graphql.reqPerSec),
      restReqPerSec: Math.round(r.rest.reqPerSec),
      graphqlVsSql: +(r.graphql.reqPerSec / r.sql.reqPerSec).toFixed(2),
      restVsSql: +(r.rest.reqPerSec / r.sql.reqPerSec).toFixed(2),
      graphqlP99Ms: +r.graphql.p99Ms.toFixed(1),
      restP99Ms: +r.rest.p99Ms.toFixed(1),
      errors: r.graphql.errors + r.rest.errors,
    }));
    console.table(rows);
    writeFileSync(path.join(results, 'bench-roles.json'), `${JSON.stringify(rows, null, 2)}\n`);
    return rows.some((r) => r.errors > 0) ? 1 : 0;
  } finally {
    leader?.stop();
    await fanout?.close();
    await redis?.stop();
    await replica?.destroy().catch(() => undefined);
    await primary?.destroy().catch(() => undefined);
    await cluster.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench:roles failed:', error);
    process.exit(1);
  },
);
