import { Router } from 'express';
import type { IngestStatusSnapshot } from '../domain/status';
import { routeLabel } from './metrics';

/** `/readyz`'s database check: true when its statement answered, false when the database is not open. */
export interface DatabaseProbe {
  /** The statement the probe runs, as the 503 reason quotes it. */
  readonly statement: string;
  ping(): Promise<boolean>;
}

export interface HealthOptions {
  database: DatabaseProbe;
  feedConnected: () => boolean;
  /**
   * Why feed sockets stopped for good (e.g. "another client is using this key"), one line each;
   * /readyz names them instead of a bare "feed is not connected".
   */
  feedFailures?: () => string[];
  /**
   * Replaces the feed check where a process runs no feed of its own: `standby` (an ingest
   * standby: ready, not live) and `none` (an API instance) pass; `live` passes, `down` fails.
   */
  feedState?: () => FeedState;
  /** True once shutdown began: a draining instance is alive but must take no new traffic. */
  closing: () => boolean;
  /** How long the probe may take before the database counts as unreachable. */
  databaseTimeoutMs?: number;
}

export type FeedState = 'live' | 'down' | 'standby' | 'none';

const DEFAULT_DATABASE_TIMEOUT_MS = 2000;

/** The fatal errors of a status snapshot's sockets, `connection #id: …` each. */
export function feedFailures(status: Pick<IngestStatusSnapshot, 'connections'>): string[] {
  return status.connections.flatMap((c) =>
    c.fatalError === null ? [] : [`connection #${c.id}: ${c.fatalError}`],
  );
}

/** Resolves true when the probe answers within the timeout. Never rejects. */
export async function databaseAnswers(
  database: DatabaseProbe,
  timeoutMs: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = database.ping().then(
    (answered) => answered,
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
    const [database, feedState] = [
      await databaseAnswers(options.database, timeoutMs),
      options.feedState?.() ?? (options.feedConnected() ? 'live' : 'down'),
    ];
    if (!database)
      reasons.push(`database did not answer ${options.database.statement} within ${timeoutMs} ms`);
    if (feedState === 'down') {
      const failures = options.feedFailures?.() ?? [];
      if (failures.length === 0) reasons.push('feed is not connected');
      else for (const failure of failures) reasons.push(`feed stopped: ${failure}`);
    }
    const feed = feedState === 'live' ? 'ok' : feedState === 'down' ? 'fail' : feedState;
    const checks = { database: database ? 'ok' : 'fail', feed };
    if (reasons.length === 0) res.json({ status: 'ready', checks });
    else res.status(503).json({ status: 'not ready', reasons, checks });
  });

  return router;
}
