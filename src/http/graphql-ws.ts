import type { Server as HttpServer } from 'node:http';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type GraphQLSchema,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Logger } from '../logger';
import { createApiContext } from '../resolvers/api-context';
import { bearerMatches } from './auth';
import { formatGraphQLError } from './graphql-errors';
import {
  complexityError,
  depthLimitRule,
  MAX_QUERY_COMPLEXITY,
  MAX_QUERY_DEPTH,
} from './graphql-limits';

const CLOSE_GRACE_MS = 2000;

export interface GraphqlWsOptions {
  httpServer: HttpServer;
  path: string;
  schema: GraphQLSchema;
  apiToken: string | null;
  production: boolean;
  logger: Logger;
}

export interface GraphqlWsServer {
  wsServer: WebSocketServer;
  /** Completes every subscription, closes every socket and the WebSocketServer. */
  dispose(): Promise<void>;
}

/**
 * graphql-ws (the `graphql-transport-ws` protocol) on the API's own HTTP server and path. Same
 * rules as HTTP: token in the connection_init payload (`{authorization: 'Bearer …'}`), depth and
 * complexity limits, no introspection in production, errors formatted in the one place.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): GraphqlWsServer {
  const { schema, logger } = options;
  const wsServer = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: 100 * 1024,
  });
  const rules = [
    ...specifiedRules,
    depthLimitRule(MAX_QUERY_DEPTH),
    ...(options.production ? [NoSchemaIntrospectionCustomRule] : []),
  ];
  const cleanup = useServer(
    {
      schema,
      isProd: options.production,
      // false → the socket is closed with 4403 Forbidden before any operation runs.
      onConnect: (ctx) =>
        options.apiToken === null ||
        bearerMatches(ctx.connectionParams?.authorization, options.apiToken),
      onSubscribe: (_ctx, _id, payload) => {
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [
            error instanceof GraphQLError ? error : new GraphQLError('could not parse the query'),
          ];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors;
        const tooComplex = complexityError(
          schema,
          document,
          payload.variables ?? undefined,
          payload.operationName,
          MAX_QUERY_COMPLEXITY,
        );
        if (tooComplex) return [tooComplex];
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createApiContext(),
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return undefined;
        return {
          ...result,
          errors: result.errors.map((error) => formatGraphQLError(error.toJSON(), error, logger)),
        };
      },
    },
    wsServer,
  );
  return {
    wsServer,
    dispose: async () => {
      // Sends 1001 Going Away to every client and closes the WebSocketServer.
      await cleanup.dispose();
      // A client that never answers the close handshake would hold its socket for ws's 30 s
      // closing timeout; give the polite close a moment, then cut the rest.
      const deadline = Date.now() + CLOSE_GRACE_MS;
      while (wsServer.clients.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const client of wsServer.clients) client.terminate();
    },
  };
}
