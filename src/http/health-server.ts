import express from 'express';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IngestStatusSnapshot } from '../domain/status';
import type { Logger } from '../logger';
import { jsonErrorHandler, jsonNotFound } from './error-handler';
import { createHealthRouter, type DatabaseProbe, type FeedState } from './health';
import { httpMetricsMiddleware, routeLabel, type AppMetrics } from './metrics';
import type { RunningServer } from './server';

export interface HealthServerOptions {
  port: number;
  host?: string;
  status: () => IngestStatusSnapshot;
  database: DatabaseProbe;
  feedState: () => FeedState;
  metrics: AppMetrics;
  logger: Logger;
}

/**
 * What an ingest instance serves: `/healthz`, `/readyz` (a standby is ready, not live),
 * `/metrics`, and its status snapshot at `/api/stats` — no data, no GraphQL, no dashboard.
 */
export async function createHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  const { metrics, logger } = options;
  let closing = false;
  const app = express();
  app.disable('x-powered-by');
  app.use(httpMetricsMiddleware(metrics));
  app.use(
    createHealthRouter({
      database: options.database,
      feedConnected: () => options.feedState() === 'live',
      feedState: options.feedState,
      closing: () => closing,
    }),
  );
  app.get('/metrics', routeLabel('/metrics'), async (_req, res) => {
    metrics.recordStatus(options.status());
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/api/stats', routeLabel('/api/stats'), (_req, res) => {
    res.json(options.status());
  });
  app.use(jsonNotFound);
  app.use(jsonErrorHandler(logger));

  const httpServer: HttpServer = createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  logger.info({ url }, 'health listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    httpServer,
    metrics,
    close: () => {
      closed ??= (async () => {
        closing = true;
        httpServer.closeAllConnections();
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })();
      return closed;
    },
  };
}
