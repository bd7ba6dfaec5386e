/** A minimal GraphQL-over-HTTP client: POST JSON to the same origin, typed errors. */
import { bearer, tokenRefused } from './auth-session';

export interface GraphQLErrorEntry {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string };
}

/** The request never produced a GraphQL response (network down, non-JSON, HTTP error). */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The server answered but reported errors (partial data may still be usable). */
export class ApiQueryError extends Error {
  override readonly name = 'ApiQueryError';
  constructor(
    readonly errors: GraphQLErrorEntry[],
    options?: { cause?: unknown },
  ) {
    super(errors.map((e) => e.message).join('; ') || 'GraphQL error', options);
  }
}

export interface GraphQLResult<T> {
  /** Fields that resolved; null/absent for fields that failed. */
  data: Partial<T> | null;
  errors: GraphQLErrorEntry[];
}

/**
 * Sends one operation. Resolves with partial data plus errors when the server answered with
 * GraphQL errors; rejects with ApiUnreachableError only when there is no usable answer.
 * `content-type: application/json` also satisfies Apollo's CSRF prevention.
 */
export async function postGraphQL<T>(
  endpoint: string,
  query: string,
  variables: object,
  timeoutMs: number,
): Promise<GraphQLResult<T>> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    const authorization = bearer();
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(authorization === null ? {} : { authorization }),
      },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiUnreachableError(
      controller.signal.aborted ? `no answer within ${timeoutMs} ms` : 'API unreachable',
      {
        cause: error,
      },
    );
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 401) tokenRefused();
  let body: { data?: Partial<T> | null; errors?: GraphQLErrorEntry[] };
  try {
    body = (await response.json()) as typeof body;
  } catch (error) {
    throw new ApiUnreachableError(`HTTP ${response.status}: not a GraphQL response`, {
      cause: error,
    });
  }
  // Apollo answers validation errors with 400 and a GraphQL body: report those as query errors.
  if (!body || (body.data === undefined && !body.errors)) {
    throw new ApiUnreachableError(`HTTP ${response.status}: empty GraphQL response`);
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}
