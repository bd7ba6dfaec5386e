import { Gauge, type Registry } from 'prom-client';
import type { ReadCache } from '../services/cache/read-cache';

/**
 * The read cache's counters on the registry, read at scrape time (the cache owns the totals).
 * Gauges, because prom-client counters cannot be set; the `_total` ones only ever grow.
 */
export function registerReadCacheMetrics(registry: Registry, cache: ReadCache): void {
  // One registry may serve a second server (tests); the first cache's gauges stay.
  if (registry.getSingleMetric('tickstock_read_cache_hits_total') !== undefined) return;
  const metric = (
    name: string,
    help: string,
    read: (s: ReturnType<ReadCache['stats']>) => number,
  ) =>
    new Gauge({
      name: `tickstock_read_cache_${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read(cache.stats()));
      },
    });
  metric('hits_total', 'Reads answered from the cache', (s) => s.hits);
  metric('misses_total', 'Reads that loaded from the database', (s) => s.misses);
  metric('coalesced_total', 'Misses that shared a load already running', (s) => s.coalesced);
  metric('bypassed_total', 'Reads during a write of their symbol (not cached)', (s) => s.bypassed);
  metric('evictions_total', 'Entries dropped by the size caps', (s) => s.evictions);
  metric('entries', 'Entries held', (s) => s.entries);
  metric('bytes', 'Estimated bytes held', (s) => s.bytes);
  metric('max_bytes', 'Byte cap (READ_CACHE_MAX_MB)', (s) => s.maxBytes);
}

/** How the HTTP fast path answered (see fast-path/fast-path.ts). */
export function registerFastPathMetrics(
  registry: Registry,
  fast: { answered: number; remade: number },
): void {
  if (registry.getSingleMetric('tickstock_http_fast_answers_total') !== undefined) return;
  const metric = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: `tickstock_http_fast_${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  metric(
    'answers_total',
    'Cached answers written straight from node:http (Express and Apollo skipped)',
    () => fast.answered,
  );
  metric(
    'remade_total',
    'Of those, answers remade after a commit without the HTTP stack',
    () => fast.remade,
  );
}
