import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDisableSuggestions } from '@apollo/server/plugin/disableSuggestions';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Server as HttpServer } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../logger';
import type { ApiContext } from '../resolvers/api-context';
import { formatGraphQLError } from './graphql-errors';
import { graphqlMetricsPlugin } from './graphql-metrics.plugin';
import { graphqlResponseCachePlugin, stringifyResult } from './graphql-response-cache.plugin';
import type { ReadCache } from '../services/cache/read-cache';
import {
  complexityLimitPlugin,
  depthLimitRule,
  MAX_QUERY_COMPLEXITY,
  MAX_QUERY_DEPTH,
} from './graphql-limits';
import type { AppMetrics } from './metrics';

export interface ApolloOptions {
  schema: GraphQLSchema;
  httpServer: HttpServer;
  production: boolean;
  logger: Logger;
  metrics: AppMetrics;
  /** Operation names → metrics labels (shared with the HTTP fast path). */
  operationLabel?: (name: string | null | undefined) => string;
  /** Disposes the graphql-ws server; run by Apollo's stop() next to the HTTP drain. */
  disposeWebSockets: () => Promise<void>;
  /** Whole responses of single-symbol queries are cached here when given. */
  cache?: ReadCache | null;
  /** Tickers known to resolve to themselves (only those answers are cached whole). */
  isKnownTicker?: (ticker: string) => boolean;
}

/**
 * Apollo Server for GraphQL over HTTP. `stop()` drains both transports: the HTTP server
 * (in-flight requests finish, idle keep-alive sockets close) and the graphql-ws server.
 * Development gets introspection and the Apollo Sandbox landing page; production gets neither
 * (and no "did you mean" suggestions that would leak the schema).
 */
export function createApolloServer(options: ApolloOptions): ApolloServer<ApiContext> {
  const { production, logger } = options;
  return new ApolloServer<ApiContext>({
    schema: options.schema,
    introspection: !production,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(MAX_QUERY_DEPTH)],
    formatError: (formatted, error) => formatGraphQLError(formatted, error, logger),
    logger,
    stringifyResult,
    plugins: [
      // No cache hints are used; the default cache-control plugin would wrap every field
      // resolver (60 bars × 8 fields per recentTicks) for nothing.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: 5000,
      }),
      {
        async serverWillStart() {
          return { drainServer: options.disposeWebSockets };
        },
      },
      complexityLimitPlugin(options.schema, MAX_QUERY_COMPLEXITY),
      graphqlMetricsPlugin(options.metrics, options.operationLabel),
      ...(options.cache && options.isKnownTicker
        ? [graphqlResponseCachePlugin(options.schema, options.cache, options.isKnownTicker)]
        : []),
      ...(production
        ? [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginDisableSuggestions()]
        : [ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false })]),
    ],
  });
}
