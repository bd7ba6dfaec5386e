import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type NonEmptyArray, type PubSub } from 'type-graphql';
import { BarResolver } from '../resolvers/bar.resolver';
import { IngestStatusResolver } from '../resolvers/ingest-status.resolver';
import { PatternResolver } from '../resolvers/pattern.resolver';
import { SymbolPatternsResolver } from '../resolvers/symbol-patterns.resolver';
import { SymbolResolver } from '../resolvers/symbol.resolver';
import type { ApiContext } from './api-context';

/**
 * Every resolver class of the API. Resolver constructors take the ServiceRegistry
 * (see ResolverContainer); add a class here and it is served.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  BarResolver,
  SymbolResolver,
  IngestStatusResolver,
  PatternResolver,
  SymbolPatternsResolver,
];

/**
 * type-graphql insists on a pubSub once any subscription exists, but its topic-based
 * subscriptions would bind one bus to the process-wide schema. Every subscription here uses
 * the `subscribe` option instead and reads the server's own AppEvents from the context
 * (`context.events`), so this placeholder only explains the mistake if a topic is used.
 */
const contextEventsOnly: PubSub = {
  publish: () => {
    throw new Error('publish on AppEvents (context.events), not through type-graphql');
  },
  subscribe: () => {
    throw new Error(
      'use @Subscription({ subscribe: ({ context }) => … context.events … }), not topics',
    );
  },
};

let cached: Promise<GraphQLSchema> | undefined;

/**
 * The executable schema. Built once per process (type-graphql metadata is global anyway);
 * resolver instances come from the per-server container carried in the context, so one schema
 * serves any number of servers.
 */
export function buildAppSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: RESOLVERS,
    // Without this map type-graphql names the Date scalar `DateTimeISO`.
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    container: ({ context }: { context: ApiContext }) => context.container,
    validate: false,
    pubSub: contextEventsOnly,
  }).catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
