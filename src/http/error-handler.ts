import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../logger';
import { DomainError } from '../services/domain-errors';

/** The path of a request URL, without the query string (mounted routers rewrite req.path). */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** body-parser marks its errors with an HTTP status and a `type` (e.g. entity.too.large). */
function clientStatus(error: unknown): { status: number; message: string } | null {
  if (error instanceof DomainError) return { status: error.httpStatus, message: error.message };
  if (typeof error === 'object' && error !== null && 'type' in error && 'status' in error) {
    const status = Number((error as { status: unknown }).status);
    if (status >= 400 && status < 500) {
      const type = String((error as { type: unknown }).type);
      const message =
        type === 'entity.too.large'
          ? 'request body is too large'
          : type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : 'bad request';
      return { status, message };
    }
  }
  return null;
}

/**
 * The one place REST errors become HTTP answers: DomainError → its status (InvalidInputError →
 * 400) with its message; malformed/oversized bodies → 400/413; anything else → logged with its
 * cause and answered `500 {"error":"internal error"}` with no stack or SQL. Under /graphql the
 * body is GraphQL-shaped (`{errors:[{message}]}`) so GraphQL clients can read it.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = clientStatus(error);
    if (known === null)
      logger.error(
        { err: error, method: req.method, path: pathOf(req.originalUrl) },
        'request failed',
      );
    const status = known?.status ?? 500;
    const message = known?.message ?? 'internal error';
    if (pathOf(req.originalUrl).startsWith('/graphql'))
      res.status(status).json({ errors: [{ message }] });
    else res.status(status).json({ error: message });
  };
}

/** JSON 404 for unknown API paths (the dashboard's static files are served elsewhere). */
export const jsonNotFound: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ error: `no such endpoint: ${req.method} ${pathOf(req.originalUrl).slice(0, 200)}` });
};
