import { performance } from 'node:perf_hooks';
import { percentile } from '../../testkit/percentile';

export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Runs `once` from `concurrency` loops for `durationMs` (after a short warm-up) and reports the
 * rate and latency (ms); `once` resolving false, or throwing, counts as an error.
 */
export async function drive(
  name: string,
  concurrency: number,
  durationMs: number,
  once: () => Promise<boolean>,
): Promise<LoadResult> {
  const warmupUntil = performance.now() + Math.min(1000, durationMs / 5);
  while (performance.now() < warmupUntil)
    await Promise.all(Array.from({ length: concurrency }, once));
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const ok = await once().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    requests: latencies.length,
    errors,
    reqPerSec: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}
