import type { ApolloServerPlugin, GraphQLRequestContextResponseForOperation } from '@apollo/server';
import { Kind, OperationTypeNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import type { ApiContext, ResponseOffer } from '../resolvers/api-context';
import { graphqlRemake } from './graphql-remake';
import type { ReadCache } from '../services/cache/read-cache';
import { checkTicker } from '../services/query-input';

/**
 * Root query fields whose whole answer depends only on one symbol's rows, by the argument
 * naming it. Their answers are exact while that symbol has no new commit.
 */
export const CACHEABLE_ROOT_FIELDS: Readonly<Record<string, string>> = { recentTicks: 'symbol' };

/** The JSON text of cached results, by their `data` object (see stringifyResult below). */
const serialized = new WeakMap<object, string>();

/**
 * Apollo's `stringifyResult`: compact JSON (Apollo pretty-prints by default, ~30 % more bytes
 * and time) and, for a cached response, the text made once when it was stored.
 */
export function stringifyResult(value: {
  data?: unknown;
  errors?: unknown;
  extensions?: unknown;
}): string {
  if (value.errors === undefined && value.extensions === undefined && isObject(value.data)) {
    const text = serialized.get(value.data);
    if (text !== undefined) return text;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

interface Plan {
  scope: string;
  key: string;
  remake: NonNullable<ResponseOffer['remake']>;
  generation: number;
  /** The scope's tag when the generation was taken (what a stored answer is exact at). */
  tag: string;
}

/**
 * Whole GraphQL responses from the read cache, for queries made only of CACHEABLE_ROOT_FIELDS
 * on one symbol with leaf sub-selections (nothing that could read other rows). A hit skips
 * execution and serialization; a miss executes normally and is stored only if no write of the
 * symbol began or ended since the generation was taken before execution (ReadCache.store).
 */
export function graphqlResponseCachePlugin(
  schema: GraphQLSchema,
  cache: ReadCache,
  isKnownTicker: (ticker: string) => boolean,
): ApolloServerPlugin<ApiContext> {
  return {
    async requestDidStart() {
      let plan: Plan | null = null;
      return {
        async responseForOperation(context) {
          const found = planFor(schema, context, isKnownTicker);
          if (found === null) return null;
          const remake = graphqlRemake(schema, cache, found.scope, {
            document: context.document,
            variables: context.request.variables,
            operationName: context.request.operationName,
          });
          const operation = context.operationName ?? undefined;
          const hit = cache.peek(found.scope, found.key) as { data: object } | undefined;
          if (hit !== undefined) {
            const text = serialized.get(hit.data);
            const tag = cache.tag(found.scope);
            if (text !== undefined && tag !== null)
              context.contextValue.offerResponse?.({
                scope: found.scope,
                tag,
                body: text,
                operation,
                remake,
              });
            return {
              http: context.response.http,
              body: { kind: 'single', singleResult: hit as { data: Record<string, unknown> } },
            };
          }
          const generation = cache.idleGeneration(found.scope);
          const tag = cache.tag(found.scope);
          plan = generation === null || tag === null ? null : { ...found, generation, tag, remake };
          return null;
        },
        async willSendResponse({ response, contextValue, operationName }) {
          if (plan === null || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors !== undefined || !isObject(result.data)) return;
          const text = JSON.stringify({ data: result.data });
          const stored = { data: result.data };
          if (cache.store(plan.scope, plan.key, plan.generation, stored, text.length * 3)) {
            serialized.set(result.data, text);
            contextValue.offerResponse?.({
              scope: plan.scope,
              tag: plan.tag,
              body: text,
              operation: operationName ?? undefined,
              remake: plan.remake,
            });
          }
        },
      };
    },
  };
}

function planFor(
  schema: GraphQLSchema,
  context: GraphQLRequestContextResponseForOperation<ApiContext>,
  isKnownTicker: (ticker: string) => boolean,
): { scope: string; key: string } | null {
  const { operation, request, queryHash } = context;
  if (operation.operation !== OperationTypeNode.QUERY) return null;
  const queryType = schema.getQueryType();
  if (!queryType) return null;
  let scope: string | null = null;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return null;
    if (selection.name.value === '__typename') continue;
    const argument = CACHEABLE_ROOT_FIELDS[selection.name.value];
    const field = queryType.getFields()[selection.name.value];
    if (argument === undefined || field === undefined || selection.directives?.length) return null;
    if (!leafOnly(selection.selectionSet)) return null;
    let symbol: string;
    try {
      const args = getArgumentValues(field, selection, request.variables ?? {});
      symbol = checkTicker(args[argument]);
    } catch {
      return null; // bad input: execution reports it
    }
    // Only a ticker known to resolve to itself: `aapl` means `AAPL`, whose commits would not
    // invalidate an answer scoped by `aapl` (the service-level cache covers such reads).
    if (!isKnownTicker(symbol)) return null;
    if (scope !== null && scope !== symbol) return null;
    scope = symbol;
  }
  if (scope === null) return null;
  const key = `graphql-response|${queryHash}|${request.operationName ?? ''}|${JSON.stringify(request.variables ?? {})}`;
  return { scope, key };
}

/** Scalar fields only (no nested objects, fragments or directives): nothing reads other rows. */
function leafOnly(selectionSet: SelectionSetNode | undefined): boolean {
  if (selectionSet === undefined) return true;
  return selectionSet.selections.every(
    (s): boolean => s.kind === Kind.FIELD && s.selectionSet === undefined && !s.directives?.length,
  );
}
