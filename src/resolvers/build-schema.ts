import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type ContainerType, type NonEmptyArray } from 'type-graphql';
import type { ApiServices } from '../services/api-services';
import { BarResolver } from './bar.resolver';
import { IngestStatusResolver } from './ingest-status.resolver';
import { PatternResolver } from './pattern.resolver';
import { SymbolPatternsResolver } from './symbol-patterns.resolver';
import { SymbolResolver } from './symbol.resolver';
import { createSubscriptionPubSub } from './subscription-topics';
import { TimeframeBarsResolver } from './timeframe-bars.resolver';

/** Every resolver of the API with the services it is given; add one here and it is served. */
function createResolvers(services: ApiServices): NonEmptyArray<object> {
  return [
    new BarResolver(services.bars),
    new SymbolResolver(services.symbols, services.bars),
    new IngestStatusResolver(services.ingestStatus),
    new PatternResolver(services.patterns),
    new SymbolPatternsResolver(services.patterns),
    new TimeframeBarsResolver(services.timeframeBars),
  ];
}

/** type-graphql's `container`: hands out the instances built above, one per resolver class. */
function resolverContainer(resolvers: readonly object[]): ContainerType {
  const byClass = new Map<unknown, object>(resolvers.map((r) => [r.constructor, r]));
  return {
    get: (resolverClass: { name?: string }) => {
      const resolver = byClass.get(resolverClass);
      if (resolver === undefined)
        throw new Error(`no resolver instance for ${resolverClass.name ?? 'an unknown class'}`);
      return resolver;
    },
  };
}

/**
 * The executable schema of one server, over its services: resolvers get them by constructor
 * (built here, the composition root of the GraphQL layer) and subscriptions through the
 * schema's PubSub (see subscription-topics.ts). type-graphql metadata is global but each build
 * is a separate schema, so servers never share instances.
 */
export function buildApiSchema(services: ApiServices): Promise<GraphQLSchema> {
  const resolvers = createResolvers(services);
  return buildSchema({
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    resolvers: resolvers.map((r) => r.constructor) as NonEmptyArray<Function>,
    // Without this map type-graphql names the Date scalar `DateTimeISO`.
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    container: resolverContainer(resolvers),
    validate: false,
    pubSub: createSubscriptionPubSub(services),
  });
}
