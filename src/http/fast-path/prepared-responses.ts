import type { OutgoingHttpHeaders } from 'node:http';
import type { ReadCache } from '../../services/cache/read-cache';
import { LruMap } from '../../services/cache/lru-map';

/** A whole 200 answer as the slow path sent it: headers (ETag included) and body bytes. */
export interface PreparedResponse {
  /** Flat [name, value, …] for writeHead, as sent (content-length and ETag included). */
  headers: string[];
  body: Buffer;
  /** The ETag header as sent, and its opaque tag: a matching If-None-Match is answered 304. */
  etag: { header: string; tag: string } | null;
  /** The GraphQL operation's metrics label, for GraphQL answers. */
  operation: string | null;
  /** Byte offset of a 32-hex request id in `body` that each answer gets anew (Massive shape). */
  requestIdAt: number | null;
}

/** The answer to the same request at the current commit, remade without the HTTP stack. */
export type Remake = () => Promise<{ tag: string; body: string; requestId?: string } | null>;

/** What the slow path sent for a request, and how to make it again. */
export interface SentAnswer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: string;
  operation: string | null;
  requestId?: string;
  remake?: Remake;
}

/** What stays true of a request's answers from one commit to the next. */
interface Recipe {
  scope: string;
  /** Headers but the length and the ETag (made from each answer's own tag). */
  headers: string[];
  /** `W/` for a weak ETag, '' for a strong one, null for none. */
  etagPrefix: string | null;
  operation: string | null;
  remake?: Remake;
}

/** Request keys remembered at most (each maps a raw request to the symbol its answer is of). */
const MAX_KEYS = 20_000;
const MAX_KEY_BYTES = 16 * 1024 * 1024;

/** Headers the HTTP server writes itself, that describe one exchange, or that are per answer. */
const OWN_HEADERS = new Set([
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'etag',
]);

/**
 * Whole responses by raw request (see fast-path.ts), kept in the read cache under the symbol
 * they are answers of, so they are exact exactly as long as the cached reads they were made
 * from: served only while the symbol is at the commit generation they were stored at. The
 * per-key recipe only says which symbol a request is about and how to remake its answer; a
 * recipe whose answer went stale is just a miss.
 */
export class PreparedResponses {
  private readonly recipes = new LruMap<string, Recipe>(MAX_KEYS, MAX_KEY_BYTES);

  constructor(private readonly cache: ReadCache) {}

  /** The symbol a request key was last answered about (known keys only). */
  scopeOf(key: string): string | undefined {
    return this.recipes.get(key)?.scope;
  }

  /** The prepared answer of `key` if it is exact now (counted as a cache hit). */
  lookup(key: string): PreparedResponse | undefined {
    const recipe = this.recipes.get(key);
    if (recipe === undefined) return undefined;
    return this.cache.hit(recipe.scope, `http|${key}`) as PreparedResponse | undefined;
  }

  /**
   * Stores what the slow path sent for `key`: `body` exact for `scope` at `tag`, kept only if
   * `scope` is still at `tag` now (see ReadCache.storeAtTag) and the bytes sent are `body`.
   */
  remember(key: string, scope: string, tag: string, sent: SentAnswer): boolean {
    if (sent.status !== 200) return false;
    if (Number(sent.headers['content-length']) !== Buffer.byteLength(sent.body)) return false;
    const headers: string[] = [];
    for (const [name, value] of Object.entries(sent.headers)) {
      if (OWN_HEADERS.has(name) || value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) headers.push(name, v);
      else headers.push(name, String(value));
    }
    const etag = sent.headers.etag;
    const tagged = typeof etag === 'string' ? /^(W\/)?"(.*)"$/.exec(etag) : null;
    // An ETag that is not this commit's tag would not follow from a remade answer's tag.
    if (typeof etag === 'string' && tagged?.[2] !== tag) return false;
    const recipe: Recipe = {
      scope,
      headers,
      etagPrefix: tagged ? (tagged[1] ?? '') : null,
      operation: sent.operation,
      ...(sent.remake === undefined ? {} : { remake: sent.remake }),
    };
    if (!this.store(key, recipe, tag, sent.body, sent.requestId)) return false;
    this.recipes.set(key, recipe, key.length * 2 + headers.join('').length * 2 + 256);
    return true;
  }

  /**
   * The answer to `key` remade at the current commit (stored when still exact), or null when
   * the key has no recipe that can, or the answer is not cacheable now (the slow path decides).
   */
  async remake(key: string): Promise<PreparedResponse | null> {
    const recipe = this.recipes.get(key);
    if (recipe?.remake === undefined) return null;
    const made = await recipe.remake().catch(() => null);
    if (made === null) return null;
    const prepared = this.prepare(recipe, made.tag, made.body, made.requestId);
    if (made.requestId !== undefined && prepared.requestIdAt === null) return null;
    this.cache.storeAtTag(recipe.scope, `http|${key}`, made.tag, prepared, bytesOf(key, prepared));
    return prepared;
  }

  private store(
    key: string,
    recipe: Recipe,
    tag: string,
    body: string,
    requestId: string | undefined,
  ): boolean {
    const prepared = this.prepare(recipe, tag, body, requestId);
    if (requestId !== undefined && prepared.requestIdAt === null) return false;
    return this.cache.storeAtTag(
      recipe.scope,
      `http|${key}`,
      tag,
      prepared,
      bytesOf(key, prepared),
    );
  }

  private prepare(recipe: Recipe, tag: string, text: string, requestId?: string): PreparedResponse {
    const body = Buffer.from(text);
    const marker = requestId === undefined ? -1 : body.indexOf(`"request_id":"${requestId}"`);
    const requestIdAt =
      marker === -1 || !/^[0-9a-f]{32}$/.test(requestId ?? '') ? null : marker + 14;
    const headers = [...recipe.headers, 'content-length', String(body.length)];
    let etag: PreparedResponse['etag'] = null;
    if (recipe.etagPrefix !== null) {
      etag = { header: `${recipe.etagPrefix}"${tag}"`, tag };
      headers.push('etag', etag.header);
    }
    return { headers, body, etag, operation: recipe.operation, requestIdAt };
  }
}

function bytesOf(key: string, prepared: PreparedResponse): number {
  return prepared.body.length + key.length * 2 + prepared.headers.join('').length * 2 + 128;
}
