import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/**
 * Deepest real query is `ingestStatus { writer { flushLatencyMs { p99 } } }` (4); 8 leaves room
 * for new types while stopping cyclic-fragment and nested-abuse documents.
 */
export const MAX_QUERY_DEPTH = 8;
/**
 * Cost budget: a list field costs `limit × its selection`. recentTicks(limit: 1000) with every
 * Bar field is ~8,000; symbols(limit: 1000) with latestBar ~12,000.
 */
export const MAX_QUERY_COMPLEXITY = 25_000;

/**
 * Validation rule rejecting operations nested deeper than `maxDepth` fields (fragments
 * followed). Introspection fields (`__schema`, `__type`) are not counted: GraphiQL/Sandbox's
 * introspection query is deeper than any data query, and introspection is off in production.
 */
export function depthLimitRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        fragments.set(definition.name.value, definition);
    }
    const fragmentDepths = new Map<string, number>();
    const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          const below = selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0;
          deepest = Math.max(deepest, 1 + below);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // Unknown or cyclic fragments are reported by graphql's own rules.
          if (fragment === undefined || visiting.has(name)) continue;
          // Memoised: a fragment's depth does not depend on where it is spread, and fan-out
          // chains (A spreads B twice, B spreads C twice…) would otherwise cost 2^n.
          let fragmentDepth = fragmentDepths.get(name);
          if (fragmentDepth === undefined) {
            visiting.add(name);
            fragmentDepth = depthOf(fragment.selectionSet, visiting);
            visiting.delete(name);
            fragmentDepths.set(name, fragmentDepth);
          }
          deepest = Math.max(deepest, fragmentDepth);
        }
        if (deepest > maxDepth) return deepest; // no need to walk an abusive document further
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        if (depthOf(operation.selectionSet, new Set()) > maxDepth) {
          const name = operation.name ? ` "${operation.name.value}"` : '';
          context.reportError(
            new GraphQLError(
              `Operation${name} is nested deeper than the maximum of ${maxDepth} levels.`,
              {
                nodes: [operation],
              },
            ),
          );
        }
      },
    };
  };
}

/**
 * The estimated cost of the operation: list fields cost `limit × selection` (see the
 * `complexity` options on the resolvers). null when the variables do not coerce — execution
 * then reports them (BAD_USER_INPUT) before any resolver runs, so there is nothing to guard.
 * "Too many nodes" comes back as Infinity.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
): number | null {
  try {
    return getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      operationName: operationName ?? undefined,
      estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    if (
      error instanceof GraphQLError &&
      error.message.startsWith('Query exceeds the maximum allowed number of nodes')
    ) {
      return Infinity;
    }
    if (error instanceof GraphQLError) return null;
    throw error;
  }
}

/** The error to answer when a cost exceeds `maxComplexity`, else null. */
export function costError(cost: number | null, maxComplexity: number): GraphQLError | null {
  if (cost === null || cost <= maxComplexity) return null;
  if (cost === Infinity)
    return tooComplex(
      'Query is too complex: it has too many fields to estimate.',
      null,
      maxComplexity,
    );
  return tooComplex(
    `Query is too complex: estimated cost ${cost} exceeds the maximum of ${maxComplexity}. ` +
      'Lower the limit arguments or request fewer fields.',
    cost,
    maxComplexity,
  );
}

export function complexityError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxComplexity: number,
): GraphQLError | null {
  return costError(operationCost(schema, document, variables, operationName), maxComplexity);
}

/** Per document, at most this many distinct variable shapes keep a memoised cost. */
const COSTS_PER_DOCUMENT = 64;

/**
 * Rejects an over-budget operation before it runs. Done in `didResolveOperation` (not as a
 * static validation rule) because list costs depend on this request's `limit` variables.
 * Costs are memoised per parsed document (Apollo reuses the DocumentNode of a cached query)
 * and per the non-string variables — limits and @include/@skip flags; strings such as a
 * symbol never change a cost here — so a poller pays the estimate once, not per request.
 */
export function complexityLimitPlugin(
  schema: GraphQLSchema,
  maxComplexity: number,
): ApolloServerPlugin {
  const costs = new WeakMap<DocumentNode, Map<string, number | null>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName }) {
          const variables = request.variables ?? {};
          const key = `${operationName ?? ''}|${JSON.stringify(Object.entries(variables).filter(([, value]) => typeof value !== 'string'))}`;
          let byVariables = costs.get(document);
          if (byVariables === undefined)
            costs.set(document, (byVariables = new Map<string, number | null>()));
          let cost = byVariables.get(key);
          if (cost === undefined) {
            cost = operationCost(schema, document, variables, operationName);
            if (byVariables.size >= COSTS_PER_DOCUMENT) byVariables.clear();
            byVariables.set(key, cost);
          }
          const error = costError(cost, maxComplexity);
          if (error) throw error;
        },
      };
    },
  };
}

function tooComplex(message: string, cost: number | null, maxCost: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost, http: { status: 400 } },
  });
}
