import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { routeLabel } from './metrics';

export interface HealthOptions {
  dataSource: DataSource;
  feedConnected: () => boolean;
  /** True once shutdown began: a draining instance is alive but must take no new traffic. */
  closing: () => boolean;
  /** How long `SELECT 1` may take before the database counts as unreachable. */
  databaseTimeoutMs?: number;
}

const DEFAULT_DATABASE_TIMEOUT_MS = 2000;

/** Resolves true when `SELECT 1` answers within the timeout. Never rejects. */
export async function databaseAnswers(dataSource: DataSource, timeoutMs: number): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = dataSource.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz`: the process is alive (no dependencies checked, so a database outage does not get
 * the process restarted). `/readyz`: the database answers and the feed is connected, so a load
 * balancer only routes to an instance serving fresh data; 503 names every failing check.
 */
export function createHealthRouter(options: HealthOptions): Router {
  const router = Router();
  const timeoutMs = options.databaseTimeoutMs ?? DEFAULT_DATABASE_TIMEOUT_MS;

  router.get('/healthz', routeLabel('/healthz'), (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', routeLabel('/readyz'), async (_req, res) => {
    const reasons: string[] = [];
    if (options.closing()) reasons.push('shutting down');
    const [database, feed] = [
      await databaseAnswers(options.dataSource, timeoutMs),
      options.feedConnected(),
    ];
    if (!database) reasons.push(`database did not answer SELECT 1 within ${timeoutMs} ms`);
    if (!feed) reasons.push('feed is not connected');
    const checks = { database: database ? 'ok' : 'fail', feed: feed ? 'ok' : 'fail' };
    if (reasons.length === 0) res.json({ status: 'ready', checks });
    else res.status(503).json({ status: 'not ready', reasons, checks });
  });

  return router;
}
