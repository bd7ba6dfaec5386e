import type DataLoader from 'dataloader';

/**
 * The per-operation GraphQL context (HTTP request or graphql-ws subscribe): only what lives
 * for one operation. Services reach resolvers through their constructors (see build-schema.ts).
 */
export interface ApiContext {
  /** Per-operation DataLoaders by key; use loaderFor(), never share across operations. */
  loaders: Map<string, DataLoader<unknown, unknown>>;
  /**
   * HTTP only: hands a whole answer, exact for `scope` at commit `tag`, to the HTTP fast path
   * (src/http/fast-path/), which answers the same request with it until the next commit.
   */
  offerResponse?: (scope: string, tag: string, body: string, operation?: string) => void;
}

export function createApiContext(
  offerResponse?: ApiContext['offerResponse'],
): ApiContext {
  return offerResponse === undefined ? { loaders: new Map() } : { loaders: new Map(), offerResponse };
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
