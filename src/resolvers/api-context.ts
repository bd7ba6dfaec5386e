import type DataLoader from 'dataloader';

/**
 * The per-operation GraphQL context (HTTP request or graphql-ws subscribe): only what lives
 * for one operation. Services reach resolvers through their constructors (see build-schema.ts).
 */
export interface ApiContext {
  /** Per-operation DataLoaders by key; use loaderFor(), never share across operations. */
  loaders: Map<string, DataLoader<unknown, unknown>>;
  /**
   * HTTP only: hands a whole answer to the HTTP fast path (src/http/fast-path/), which answers
   * the same request with it until the symbol's next commit.
   */
  offerResponse?: (offer: ResponseOffer) => void;
}

/** An answer `body`, exact for `scope` at commit `tag`. */
export interface ResponseOffer {
  scope: string;
  tag: string;
  body: string;
  /** GraphQL: the operation's name, for its metrics label. */
  operation?: string;
  /** A per-answer request id inside `body` (`"request_id":"…"`), made anew for each answer. */
  requestId?: string;
  /** Makes the answer to the same request again at a later commit (null: not cacheable now). */
  remake?: () => Promise<{ tag: string; body: string; requestId?: string } | null>;
}

export function createApiContext(offerResponse?: ApiContext['offerResponse']): ApiContext {
  return offerResponse === undefined
    ? { loaders: new Map() }
    : { loaders: new Map(), offerResponse };
}

/**
 * The DataLoader for `key` in this operation, created by `factory` on first use. Batching and
 * caching then span exactly one operation, so N parents cost one query and no result leaks
 * into another request.
 *
 * @example loaderFor(ctx, 'Symbol.latestBar', () => new DataLoader((keys) => bars.latestBars(keys)))
 */
export function loaderFor<K, V>(
  context: ApiContext,
  key: string,
  factory: () => DataLoader<K, V>,
): DataLoader<K, V> {
  let loader = context.loaders.get(key) as DataLoader<K, V> | undefined;
  if (loader === undefined) {
    loader = factory();
    context.loaders.set(key, loader);
  }
  return loader;
}
