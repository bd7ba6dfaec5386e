import { DEFAULT_POSTGRES_URL, DEFAULT_REDIS_URL, isReachable } from '../../testkit/reachability';

/**
 * Decides once, before any suite, which real servers the suites run against. PGlite always;
 * PostgreSQL and Redis whenever reachable (TEST_DATABASE_URL / TEST_REDIS_URL or the local
 * defaults). Under CI=true an unreachable server is an error, never a silent skip.
 */
export default async function globalSetup(): Promise<void> {
  const pgUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
  const redisUrl = process.env.TEST_REDIS_URL ?? DEFAULT_REDIS_URL;
  const [pg, redis] = await Promise.all([isReachable(pgUrl, 5432), isReachable(redisUrl, 6379)]);
  if (process.env.CI === 'true' && (!pg || !redis)) {
    throw new Error(
      `CI needs PostgreSQL (${pg ? 'ok' : 'unreachable'}) and Redis (${redis ? 'ok' : 'unreachable'})`,
    );
  }
  process.env.TICKSTOCK_TEST_PG_URL = pg ? pgUrl : '';
  process.env.TICKSTOCK_TEST_REDIS_URL = redis ? redisUrl : '';
  console.log(
    `\n[tickstock tests] PGlite: yes; PostgreSQL: ${pg ? pgUrl : 'not reachable, suites skipped'}; Redis: ${redis ? redisUrl : 'not reachable, suites skipped'}`,
  );
}
