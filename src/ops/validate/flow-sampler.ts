import { performance } from 'node:perf_hooks';
import type { IngestStatusSnapshot } from '../../domain/status';
import type { MonitoringRepository, NewestBar } from '../../repositories/monitoring.repository';
import type { InstanceClient } from './instance-client';

/** What one sampling window saw of the tick flow. */
export interface FlowSample {
  first: IngestStatusSnapshot;
  last: IngestStatusSnapshot;
  windowMs: number;
  /** Distinct (symbol, minute) rows that appeared or changed in the database; null without one. */
  rowsWritten: number | null;
  /** Time from ticks arriving (stats) to the database showing a write, per observed write. */
  lagMs: number[];
  newest: NewestBar[];
}

/**
 * Polls /api/stats and the newest bar of every symbol side by side for `windowMs`. A row is
 * written when its newest-minute volume or minute changed between polls; its lag is the time
 * from the first poll that saw new ticks after the previous write to the poll that saw the
 * write (an upper bound, at the poll interval's resolution).
 */
export async function sampleFlow(
  instance: InstanceClient,
  monitoring: MonitoringRepository | null,
  windowMs: number,
  pollMs = 100,
): Promise<FlowSample> {
  const first = await instance.stats();
  let last = first;
  let previous = new Map<string, string>();
  let newest: NewestBar[] = [];
  if (monitoring !== null) {
    newest = await monitoring.newestBars();
    previous = new Map(newest.map((b) => [b.symbol, `${b.minuteStartMs}:${b.volume}`]));
  }
  const written = new Set<string>();
  const lagMs: number[] = [];
  let ticksSeenAt: number | null = null;
  const started = performance.now();
  while (performance.now() - started < windowMs) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const stats = await instance.stats();
    const now = performance.now();
    if (stats.ingest.ticksReceived > last.ingest.ticksReceived && ticksSeenAt === null) {
      ticksSeenAt = now;
    }
    last = stats;
    if (monitoring === null) continue;
    newest = await monitoring.newestBars();
    let changed = false;
    for (const bar of newest) {
      const fingerprint = `${bar.minuteStartMs}:${bar.volume}`;
      if (previous.get(bar.symbol) !== fingerprint) {
        changed = true;
        written.add(`${bar.symbol} ${bar.minuteStartMs}`);
        previous.set(bar.symbol, fingerprint);
      }
    }
    if (changed && ticksSeenAt !== null) {
      lagMs.push(performance.now() - ticksSeenAt);
      ticksSeenAt = null;
    }
  }
  return {
    first,
    last,
    windowMs: performance.now() - started,
    rowsWritten: monitoring === null ? null : written.size,
    lagMs,
    newest,
  };
}
