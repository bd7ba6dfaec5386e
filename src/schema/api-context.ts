import type DataLoader from 'dataloader';
import type { ContainerType } from 'type-graphql';
import type { AppEvents } from '../events/app-events';
import type { ServiceRegistry } from '../services/service-registry';

/**
 * Builds resolver instances for type-graphql: each resolver class is constructed once per
 * server with the ServiceRegistry, from which it takes the services it needs.
 */
export class ResolverContainer implements ContainerType {
  private readonly instances = new Map<unknown, unknown>();

  constructor(readonly services: ServiceRegistry) {}

  get(resolverClass: new (services: ServiceRegistry) => unknown): unknown {
    let instance = this.instances.get(resolverClass);
    if (instance === undefined) {
      instance = new resolverClass(this.services);
      this.instances.set(resolverClass, instance);
    }
    return instance;
  }
}

/** The per-operation GraphQL context (HTTP request or graphql-ws subscribe). */
export interface ApiContext {
  container: ResolverContainer;
  services: ServiceRegistry;
  events: AppEvents;
  /** Per-operation DataLoaders by key; use loaderFor(), never share across operations. */
  loaders: Map<string, DataLoader<unknown, unknown>>;
}

export function createApiContext(container: ResolverContainer): ApiContext {
  return {
    container,
    services: container.services,
    events: container.services.deps.events,
    loaders: new Map(),
  };
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
