import { execute, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createApiContext, type ResponseOffer } from '../resolvers/api-context';
import type { ReadCache } from '../services/cache/read-cache';

/**
 * How the HTTP fast path remakes a cacheable GraphQL answer after a commit: the operation that
 * Apollo parsed, validated and limit-checked for this very request (same document, variables
 * and operation name, so every check would pass again) executed as Apollo executes it (graphql
 * `execute`, no root value, default field resolver) and serialized as stringifyResult does.
 * The tag is taken before execution, so the answer is at least that fresh; null when the
 * symbol is being written or execution reported errors (the slow path then answers).
 */
export function graphqlRemake(
  schema: GraphQLSchema,
  cache: ReadCache,
  scope: string,
  operation: {
    document: DocumentNode;
    variables: Record<string, unknown> | undefined;
    operationName: string | undefined;
  },
): NonNullable<ResponseOffer['remake']> {
  return async () => {
    const tag = cache.tag(scope);
    if (tag === null) return null;
    const result = await execute({
      schema,
      document: operation.document,
      variableValues: operation.variables,
      operationName: operation.operationName,
      contextValue: createApiContext(),
    });
    if (result.errors !== undefined || typeof result.data !== 'object' || result.data === null)
      return null;
    return { tag, body: JSON.stringify({ data: result.data }) };
  };
}
