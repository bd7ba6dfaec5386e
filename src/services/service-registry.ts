import type { DataSource } from 'typeorm';
import type { AppEvents } from '../events/app-events';
import type { IngestStatusSnapshot } from '../domain/status';
import type { Logger } from '../logger';

/** Everything the read side may use; services pick what they need from it. */
export interface ApiDeps {
  dataSource: DataSource;
  events: AppEvents;
  status: () => IngestStatusSnapshot;
  logger: Logger;
  /** Clock for "since is in the future" checks (tests pin it). */
  now?: () => number;
  /**
   * How far ahead of the local clock a `since` may be before it is rejected as "in the future".
   * Absorbs clock skew between a client and this box (default 5 minutes).
   */
  futureSinceToleranceMs?: number;
}

/** A service class: constructed once per server from the deps. */
export type ServiceClass<T> = new (deps: ApiDeps) => T;

/**
 * A tiny per-server service locator: each service class is instantiated once, lazily, from the
 * shared deps. Resolvers get it through their constructor (see ResolverContainer), so a new
 * resolver + service pair (e.g. patterns) needs no edit to the server or context code.
 */
export class ServiceRegistry {
  private readonly instances = new Map<ServiceClass<unknown>, unknown>();

  constructor(readonly deps: ApiDeps) {}

  get<T>(serviceClass: ServiceClass<T>): T {
    let instance = this.instances.get(serviceClass) as T | undefined;
    if (instance === undefined) {
      instance = new serviceClass(this.deps);
      this.instances.set(serviceClass, instance);
    }
    return instance;
  }
}
