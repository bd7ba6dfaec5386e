import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/**
 * Constant-time check of an `Authorization: Bearer <token>` value. Both sides are hashed first
 * so the comparison length never depends on the secret.
 */
export function bearerMatches(header: unknown, token: string): boolean {
  if (typeof header !== 'string') return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]), digest(token));
}

/**
 * Requires the API token on a route (when one is configured). `body` shapes the 401 answer so
 * GraphQL clients get a GraphQL-style error and REST clients the legacy `{error}` object.
 */
export function requireBearer(
  token: string | null,
  body: (message: string) => unknown,
): RequestHandler {
  return (req, res, next) => {
    if (token === null || bearerMatches(req.headers.authorization, token)) {
      next();
      return;
    }
    const message = req.headers.authorization
      ? 'invalid bearer token'
      : 'missing bearer token (Authorization: Bearer <API_TOKEN>)';
    res.status(401).set('WWW-Authenticate', 'Bearer').json(body(message));
  };
}
