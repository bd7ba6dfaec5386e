import { expressMiddleware } from '@as-integrations/express5';
import express, { type RequestHandler } from 'express';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config';
import type { IngestStatusSnapshot } from '../domain/status';
import type { Logger } from '../logger';
import { createApiContext } from '../resolvers/api-context';
import { buildApiSchema } from '../resolvers/build-schema';
import type { ApiServices } from '../services/api-services';
import { requireBearer } from './auth';
import { jsonErrorHandler, jsonNotFound } from './error-handler';
import { FastPath } from './fast-path/fast-path';
import { jsonBody } from './fast-path/body-reader';
import { createApolloServer } from './graphql-http';
import { createOperationLabel } from './graphql-metrics.plugin';
import { attachGraphqlWs } from './graphql-ws';
import { createHealthRouter, feedFailures, type DatabaseProbe, type FeedState } from './health';
import { createMetrics, httpMetricsMiddleware, routeLabel, type AppMetrics } from './metrics';
import { createMassiveAggregatesRouter } from './massive-aggregates';
import { registerFastPathMetrics, registerReadCacheMetrics } from './read-cache-metrics';
import { createRestRouter } from './rest';

/** Largest accepted request body: far above any real query, far below a memory problem. */
export const MAX_BODY_BYTES = 100 * 1024;
export const GRAPHQL_PATH = '/graphql';

export interface ServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  config: Pick<AppConfig, 'production' | 'apiToken' | 'pollMs'> &
    Partial<Pick<AppConfig, 'metricsToken'>>;
  /** The read side, built by createApiServices; GraphQL and REST serve these instances. */
  services: ApiServices;
  /** `/readyz`'s database check (the read repositories' health probe). */
  database: DatabaseProbe;
  feedConnected: () => boolean;
  /** Overrides the readiness feed check (an API instance runs no feed: 'none'). */
  feedState?: () => FeedState;
  logger: Logger;
  /** The built dashboard; its index.html is served at '/'. */
  staticDir?: string;
  /** Shared with the bar writer (flushLatency); created here when omitted. */
  metrics?: AppMetrics;
  /**
   * What `/metrics` reports, when not the served status: an API instance serves the ingest
   * leader's relayed status but must export only its own numbers (no double counting).
   */
  metricsStatus?: () => IngestStatusSnapshot;
  /** `/readyz` database probe timeout (default 2 s). */
  readinessTimeoutMs?: number;
}

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  httpServer: HttpServer;
  metrics: AppMetrics;
  /** Stops accepting, lets in-flight HTTP requests finish, closes keep-alive and WebSocket clients. */
  close(): Promise<void>;
}

/**
 * The API on one HTTP port: `/graphql` (Apollo over HTTP + graphql-ws subscriptions),
 * `/api/ticks/recent` and `/api/stats` (REST), `/healthz`, `/readyz`, `/metrics`, and the
 * dashboard at `/`. With `config.apiToken` set, GraphQL and REST need `Authorization: Bearer`;
 * health, readiness and metrics stay open for probes and scrapers.
 */
export async function createServer(options: ServerOptions): Promise<RunningServer> {
  const { config, logger, services } = options;
  const metrics = options.metrics ?? createMetrics();
  const schema = await buildApiSchema(services);
  let closing = false;

  const app = express();
  app.disable('x-powered-by');
  // Live data polled with `since`: a hash of every response body would cost CPU for nothing.
  app.set('etag', false);
  const operationLabel = createOperationLabel();
  // Cached answers skip Express and Apollo altogether (src/http/fast-path/fast-path.ts).
  const fast =
    services.cache === null
      ? null
      : new FastPath({
          cache: services.cache,
          apiToken: config.apiToken,
          metrics,
          maxBodyBytes: MAX_BODY_BYTES,
          operationLabel,
        });
  const httpServer = createHttpServer(fast === null ? app : fast.handler(app));
  const ws = attachGraphqlWs({
    httpServer,
    path: GRAPHQL_PATH,
    schema,
    apiToken: config.apiToken,
    production: config.production,
    logger,
  });
  const apollo = createApolloServer({
    schema,
    httpServer,
    production: config.production,
    logger,
    metrics,
    operationLabel,
    disposeWebSockets: () => ws.dispose(),
    cache: services.cache,
    isKnownTicker: (ticker: string) => services.tickers.isKnown(ticker),
  });
  await apollo.start();

  app.use(httpMetricsMiddleware(metrics));
  app.use(
    createHealthRouter({
      database: options.database,
      feedConnected: options.feedConnected,
      feedFailures: () => feedFailures(services.ingestStatus.status()),
      ...(options.feedState === undefined ? {} : { feedState: options.feedState }),
      closing: () => closing,
      databaseTimeoutMs: options.readinessTimeoutMs,
    }),
  );
  if (services.cache !== null) registerReadCacheMetrics(metrics.registry, services.cache);
  if (fast !== null) registerFastPathMetrics(metrics.registry, fast);
  const metricsAuth = requireBearer(config.metricsToken ?? null, (message) => ({ error: message }));
  app.get('/metrics', routeLabel('/metrics'), metricsAuth, async (_req, res) => {
    metrics.recordStatus(options.metricsStatus?.() ?? services.ingestStatus.status());
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // What the dashboard needs before its first query; nothing secret, so it stays open.
  app.get('/api/config', routeLabel('/api/config'), (_req, res) => {
    res.json({
      pollMs: config.pollMs,
      graphqlPath: GRAPHQL_PATH,
      authRequired: config.apiToken !== null,
    });
  });

  const graphqlAuth = requireBearer(config.apiToken, (message) => ({
    errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }],
  }));
  // The Sandbox page itself carries no data, and a browser cannot add a bearer header to a
  // page load; every operation it then sends is checked.
  const graphqlAuthUnlessLandingPage: RequestHandler = (req, res, next) => {
    const landingPage =
      req.method === 'GET' &&
      req.query.query === undefined &&
      (req.headers.accept ?? '').includes('text/html');
    if (landingPage && !config.production) next();
    else graphqlAuth(req, res, next);
  };
  app.use(
    GRAPHQL_PATH,
    routeLabel(GRAPHQL_PATH),
    graphqlAuthUnlessLandingPage,
    jsonBody(MAX_BODY_BYTES),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => createApiContext(fast?.offerFor(req, res)),
    }),
  );

  // Massive-compatible aggregates: its own key check (apiKey= or bearer) and error shape.
  app.use(
    createMassiveAggregatesRouter({
      timeframeBars: services.timeframeBars,
      apiToken: config.apiToken,
      logger,
      commitTag: async (ticker: string) => {
        const cache = services.cache;
        return cache === null ? null : cache.tag(await services.tickers.resolve(ticker));
      },
      ...(fast === null
        ? {}
        : {
            offerResponse: (req, res) => fast.offerFor(req, res),
            isKnownTicker: (ticker) => services.tickers.isKnown(ticker),
          }),
    }),
  );
  app.use(
    '/api',
    requireBearer(config.apiToken, (message) => ({ error: message })),
  );
  app.use(
    createRestRouter({
      bars: services.bars,
      ingestStatus: services.ingestStatus,
      ...(fast === null
        ? {}
        : {
            offerResponse: (req, res) => fast.offerFor(req, res),
            isKnownTicker: (ticker) => services.tickers.isKnown(ticker),
          }),
    }),
  );
  app.use('/api', jsonNotFound);
  if (options.staticDir !== undefined)
    app.use(express.static(options.staticDir, { index: 'index.html' }));
  app.use(jsonErrorHandler(logger));

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await apollo.stop();
    throw new ServerStartError(`could not listen on port ${options.port}`, { cause: error });
  }

  const { port } = httpServer.address() as AddressInfo;
  const host =
    options.host === undefined || options.host === '0.0.0.0' || options.host === '::'
      ? '127.0.0.1'
      : options.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info(
    {
      url,
      graphql: `${url}${GRAPHQL_PATH}`,
      production: config.production,
      auth: config.apiToken !== null,
    },
    'api listening',
  );

  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    httpServer,
    metrics,
    close: () => {
      closed ??= (async () => {
        closing = true;
        await apollo.stop();
        logger.info('api stopped');
      })();
      return closed;
    },
  };
}

export class ServerStartError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ServerStartError';
  }
}
