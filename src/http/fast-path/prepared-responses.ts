import type { OutgoingHttpHeaders } from 'node:http';
import type { ReadCache } from '../../services/cache/read-cache';
import { LruMap } from '../../services/cache/lru-map';

/** A whole 200 answer as the slow path sent it: headers (ETag included) and body bytes. */
export interface PreparedResponse {
  /** Flat [name, value, …] for writeHead, as sent (content-length included). */
  headers: string[];
  body: Buffer;
  /** The ETag header as sent, and its opaque tag: a matching If-None-Match is answered 304. */
  etag: { header: string; tag: string } | null;
  /** The GraphQL operation's metrics label, for GraphQL answers. */
  operation: string | null;
}

/** Request keys remembered at most (each maps a raw request to the symbol its answer is of). */
const MAX_KEYS = 20_000;
const MAX_KEY_BYTES = 16 * 1024 * 1024;

/** Headers the HTTP server writes itself or that describe one exchange only. */
const OWN_HEADERS = new Set([
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/**
 * Whole responses by raw request (see request-key.ts), kept in the read cache under the symbol
 * they are answers of, so they are exact exactly as long as the cached reads they were made
 * from: served only while the symbol is at the commit generation they were stored at.
 * `keyScopes` only says which symbol a raw request is about; a stale pointer is just a miss.
 */
export class PreparedResponses {
  private readonly keyScopes = new LruMap<string, string>(MAX_KEYS, MAX_KEY_BYTES);

  constructor(private readonly cache: ReadCache) {}

  /** The symbol a request key was last answered about (known keys only). */
  scopeOf(key: string): string | undefined {
    return this.keyScopes.get(key);
  }

  /** The prepared answer of `key` if it is exact now (counted as a cache hit). */
  lookup(key: string): PreparedResponse | undefined {
    const scope = this.keyScopes.get(key);
    if (scope === undefined) return undefined;
    return this.cache.hit(scope, `http|${key}`) as PreparedResponse | undefined;
  }

  /**
   * Stores what the slow path sent for `key`: `body` exact for `scope` at `tag`, kept only if
   * `scope` is still at `tag` now (see ReadCache.storeAtTag) and the bytes sent are `body`.
   */
  remember(
    key: string,
    scope: string,
    tag: string,
    sent: { status: number; headers: OutgoingHttpHeaders; body: string; operation: string | null },
  ): boolean {
    if (sent.status !== 200) return false;
    const body = Buffer.from(sent.body);
    if (Number(sent.headers['content-length']) !== body.length) return false;
    const headers: string[] = [];
    for (const [name, value] of Object.entries(sent.headers)) {
      if (OWN_HEADERS.has(name) || value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.push(name, v);
      else headers.push(name, String(value));
    }
    headers.push('content-length', String(body.length));
    const etagHeader = sent.headers.etag;
    const tagged = typeof etagHeader === 'string' ? /^(?:W\/)?"(.*)"$/.exec(etagHeader) : null;
    const prepared: PreparedResponse = {
      headers,
      body,
      etag: tagged ? { header: tagged[0], tag: tagged[1] } : null,
      operation: sent.operation,
    };
    const bytes = body.length + key.length * 2 + headers.join('').length * 2 + 128;
    if (!this.cache.storeAtTag(scope, `http|${key}`, tag, prepared, bytes)) return false;
    this.keyScopes.set(key, scope, key.length * 2 + scope.length * 2 + 64);
    return true;
  }
}
