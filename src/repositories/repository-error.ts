/**
 * A statement failed; wraps the driver error (which may quote SQL) as `cause`. The query
 * services turn it into DataAccessError, so the edges answer "internal error" and log the cause.
 */
export class RepositoryError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'RepositoryError';
  }
}
