/** The ingest bench's options, result and how they are judged and printed. */
import type { Summary } from '../testkit/percentile';
import { round } from '../testkit/percentile';
import type { BarComparison } from '../testkit/stored-bars';

export interface IngestBenchOptions {
  database: 'pglite' | 'postgres';
  engine: boolean;
  symbols: number;
  eventsPerSecond: number;
  /** Feed seconds sent. */
  seconds: number;
  connections: 1 | 2 | 3;
  /** Events per wall second the feed sends at (steady load, for latency); 0 = as fast as taken. */
  paceEventsPerSec: number;
  /** Where the simulator runs: its own process (default) or this one. */
  feed: 'child' | 'inprocess';
  /** Fraction of seconds the feed re-broadcasts with new values (0 = ideal feed). */
  correctionRate: number;
  flushIntervalMs: number;
  flushBatchSize: number;
  /** One handleTick call in this many is timed, one event in this many is traced to its row. */
  tickSampleEvery: number;
  latencySampleEvery: number;
}

export const INGEST_BENCH_DEFAULTS: IngestBenchOptions = {
  database: 'pglite',
  engine: true,
  symbols: 10_000,
  eventsPerSecond: 10_000,
  seconds: 120,
  connections: 1,
  paceEventsPerSec: 0,
  feed: 'child',
  correctionRate: 0,
  flushIntervalMs: 250,
  flushBatchSize: 5_000,
  tickSampleEvery: 8,
  latencySampleEvery: 50,
};

export interface IngestBenchResult {
  label: string;
  options: IngestBenchOptions;
  events: number;
  /** Events ÷ (last bar stored − first event received): the sustained end-to-end rate. */
  eventsPerSec: number;
  /** Events ÷ (last event received − first received): how fast the pipeline took them. */
  receiveEventsPerSec: number;
  elapsedMs: number;
  /** Time from the last event received to the last bar stored. */
  drainMs: number;
  handleTickUs: Summary;
  eventToVisibleMs: Summary;
  flushMs: Summary;
  flushes: number;
  barsWritten: number;
  rowsStored: number;
  patternsDetected: number;
  patternsPersisted: number;
  reconnects: number;
  rejected: number;
  rssStartMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  zeroLoss: BarComparison;
  /** The comparison flagged a deliberately nudged bar (it can fail). */
  comparatorOk: boolean;
}

/** Zero loss, and a comparison that demonstrably can fail. */
export function ingestPassed(r: IngestBenchResult): boolean {
  return r.zeroLoss.mismatches === 0 && r.zeroLoss.compared > 0 && r.comparatorOk;
}

export function ingestLabel(options: IngestBenchOptions): string {
  const pace =
    options.paceEventsPerSec > 0
      ? `, paced ${options.paceEventsPerSec.toLocaleString('en-US')}/s`
      : '';
  const corrections =
    options.correctionRate > 0 ? `, ${options.correctionRate * 100} % corrections` : '';
  return `${options.database}, engine ${options.engine ? 'on' : 'off'}${corrections}${pace}`;
}

/** One line per figure, for the console. */
export function formatIngestBench(r: IngestBenchResult): string {
  const s = (x: Summary, digits = 1) =>
    `p50 ${round(x.p50, digits)} / p99 ${round(x.p99, digits)} (max ${round(x.max, digits)})`;
  const z = r.zeroLoss;
  return [
    `ingest [${r.label}] ${r.options.symbols} symbols × ${r.options.seconds} feed s, ${r.options.connections} socket(s), feed in ${r.options.feed === 'child' ? 'a child process' : 'this process'}`,
    `  events ${r.events.toLocaleString('en-US')}: ${r.eventsPerSec.toLocaleString('en-US')} events/s end to end (received at ${r.receiveEventsPerSec.toLocaleString('en-US')}/s; drain after last event ${r.drainMs} ms)`,
    `  handleTick µs ${s(r.handleTickUs, 2)}, ${r.handleTickUs.count.toLocaleString('en-US')} calls timed`,
    `  event→row visible ms ${s(r.eventToVisibleMs)}, ${r.eventToVisibleMs.count.toLocaleString('en-US')} events traced`,
    `  flush ms ${s(r.flushMs)} over ${r.flushes} flushes; bars written ${r.barsWritten.toLocaleString('en-US')} (rows stored ${r.rowsStored.toLocaleString('en-US')})`,
    `  patterns detected ${r.patternsDetected} (persisted ${r.patternsPersisted}); reconnects ${r.reconnects}; rejected ${r.rejected}`,
    `  RSS MB start ${r.rssStartMb} / peak ${r.rssPeakMb} / end ${r.rssEndMb}`,
    `  zero-loss: ${z.compared.toLocaleString('en-US')} bars compared value by value, mismatches ${z.mismatches} (missing ${z.missing}, unexpected ${z.unexpected}), vwap off ${z.vwapOff}; comparator self-check ${r.comparatorOk ? 'ok' : 'FAILED'}`,
    ...z.examples.slice(0, 5).map((line) => `    ${line}`),
  ].join('\n');
}
