import { RepositoryError } from '../repositories/repository-error';

/**
 * Errors the query services raise. The HTTP edges map them in exactly one place each:
 * GraphQL `formatError` (src/http/graphql-errors.ts) and the REST error handler
 * (src/http/rest.ts). Anything that is not a DomainError is a server fault.
 */
export abstract class DomainError extends Error {
  /** The GraphQL `extensions.code` this error maps to. */
  abstract readonly code: string;
  /** The HTTP status a REST endpoint answers with. */
  abstract readonly httpStatus: number;
}

/** The caller sent something unusable (bad symbol, since, limit…); the message says what. */
export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  readonly httpStatus = 400;

  constructor(
    message: string,
    /** The argument / query parameter at fault. */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/**
 * A ticker given in another case matches several stored tickers (`bcpc` → `BCPC`, `BCpC`:
 * different companies), so no answer would be right; the message names the candidates.
 */
export class AmbiguousSymbolError extends InvalidInputError {
  constructor(
    readonly input: string,
    readonly candidates: readonly string[],
    field = 'symbol',
  ) {
    super(
      `${field} ${JSON.stringify(input)} is ambiguous: it matches ${candidates.join(', ')} (tickers are case-sensitive); ask for one of them exactly`,
      field,
    );
    this.name = 'AmbiguousSymbolError';
  }
}

/** The database did not answer a read; wraps the driver error (which may quote SQL) as `cause`. */
export class DataAccessError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'DataAccessError';
  }
}

/**
 * Runs one repository read: a RepositoryError becomes DataAccessError(`message`) with it as
 * `cause`; anything else is a bug and passes unchanged.
 */
export async function readThrough<T>(message: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RepositoryError) throw new DataAccessError(message, { cause: error });
    throw error;
  }
}
