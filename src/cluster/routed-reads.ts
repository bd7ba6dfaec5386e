import type { ReadRepositories } from '../repositories/read-repositories';

/**
 * Read repositories that pick the replica or the primary on every call, as `useReplica` says
 * (the ClusterMonitor's freshness policy). Services and resolvers keep their one set of
 * repositories and never learn there are two databases.
 */
export function routedReadRepositories(
  primary: ReadRepositories,
  replica: ReadRepositories,
  useReplica: () => boolean,
): ReadRepositories {
  const route = <K extends keyof ReadRepositories>(key: K): ReadRepositories[K] =>
    new Proxy(primary[key], {
      get(_target, property) {
        const chosen = useReplica() ? replica[key] : primary[key];
        const value: unknown = Reflect.get(chosen, property, chosen);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(chosen)
          : value;
      },
    });
  return {
    bars: route('bars'),
    symbols: route('symbols'),
    patterns: route('patterns'),
    health: route('health'),
    barRollups: route('barRollups'),
  };
}
