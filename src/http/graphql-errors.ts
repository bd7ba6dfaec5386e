import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../logger';
import { AmbiguousSymbolError, DomainError } from '../services/domain-errors';

/** Apollo's own codes for errors it raised itself (parse, validation, coercion…): passed through. */
const CLIENT_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'QUERY_TOO_COMPLEX',
]);

/**
 * The one place domain errors become GraphQL error codes (Apollo `formatError` and the
 * graphql-ws `onNext` hook both call it):
 * - DomainError (e.g. InvalidInputError) → its `code` (BAD_USER_INPUT) and its message;
 * - errors GraphQL/Apollo raised about the request → unchanged;
 * - anything else is a server fault: logged with its cause, answered as "internal error" with
 *   no message, stack or SQL from the original.
 */
export function formatGraphQLError(
  formatted: GraphQLFormattedError,
  error: unknown,
  logger: Logger,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    const field =
      'field' in original && typeof original.field === 'string' ? { field: original.field } : {};
    const candidates =
      original instanceof AmbiguousSymbolError ? { candidates: [...original.candidates] } : {};
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: original.code, ...field, ...candidates },
    };
  }
  const code = formatted.extensions?.code;
  const raisedByGraphQL = original instanceof GraphQLError || !(original instanceof Error);
  if (raisedByGraphQL && typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
    const extensions = { ...formatted.extensions };
    delete extensions.stacktrace;
    return { ...formatted, extensions };
  }
  if (raisedByGraphQL && code === undefined) return formatted;
  logger.error({ err: original, path: formatted.path }, 'graphql operation failed');
  return {
    message: 'internal error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
