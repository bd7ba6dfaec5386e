/** The soak's report: what it holds, the RSS trend, and how it is written and printed. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { IngestStatusSnapshot } from '../src/domain/status';
import type { MassiveSimulator } from '../src/ingest/simulator/massive-simulator';
import { rssMb } from './lib/rss';
import type { BarComparison } from '../testkit/stored-bars';
import type { SoakCoverage } from './soak-coverage';
import type { SoakDatabase } from './soak-database';
import { MALFORMED_FRAMES, type FaultDrill, type FaultKind } from './soak-faults';
import type { Compared } from './soak-phases';
import type { Knobs } from './soak-setup';

export interface SoakReport {
  ok: boolean;
  database: 'postgres' | 'pglite';
  minutes: number;
  symbols: number;
  acceleration: number;
  faults: Record<FaultKind, number>;
  faultLog: FaultDrill['records'];
  sigtermDrill: string;
  reconnects: number;
  simulatorConnectionsAccepted: number;
  backfill: IngestStatusSnapshot['backfill'];
  corrections: IngestStatusSnapshot['corrections'];
  reconcile: IngestStatusSnapshot['reconcile'];
  correctionRate: number;
  writer: IngestStatusSnapshot['writer'];
  rejects: { injectedBadEvents: number; counted: number; byReason: Record<string, number> };
  dbConnectionsKilled: number;
  eventsGenerated: number;
  eventsSent: number;
  ticksProcessed: number;
  comparedRange: { from: string; to: string; definition: string };
  symbolMinutesCompared: number;
  comparison: BarComparison;
  storedRowsOutsideRange: number;
  /** Sampled every 5 s from "live" to stop; secondHalfMbPerMin: least-squares slope over the later half. */
  rss: {
    startMb: number;
    endMb: number;
    minMb: number;
    maxMb: number;
    secondHalfMbPerMin: number;
    samples: number[];
  };
  heapUsedMb: { start: number; end: number };
  durationSeconds: number;
  problems: string[];
}

/** RSS every `intervalMs` from construction until stop(), plus heap used at both ends. */
export class MemorySampler {
  readonly samples: number[] = [];
  readonly heapStartMb = heapUsedMb();
  heapEndMb = 0;
  endMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly intervalMs: number) {
    this.samples.push(rssMb());
    this.timer = setInterval(() => this.samples.push(rssMb()), intervalMs);
  }

  get startMb(): number {
    return this.samples[0];
  }

  stop(): void {
    this.endMb = rssMb();
    this.heapEndMb = heapUsedMb();
    clearInterval(this.timer);
  }

  summary(): SoakReport['rss'] {
    const samples = this.samples;
    return {
      startMb: this.startMb,
      endMb: this.endMb,
      minMb: Math.min(...samples),
      maxMb: Math.max(...samples),
      secondHalfMbPerMin: slopePerMinute(
        samples.slice(Math.floor(samples.length / 2)),
        this.intervalMs,
      ),
      samples,
    };
  }
}

function heapUsedMb(): number {
  return Math.round(process.memoryUsage().heapUsed / 1_048_576);
}

/** Least-squares slope of evenly spaced samples, per minute (0 with fewer than 2 samples). */
export function slopePerMinute(samples: readonly number[], intervalMs: number): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = samples.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  samples.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return Math.round((num / den) * (60_000 / intervalMs) * 10) / 10;
}

export function writeReport(resultsDir: string, report: SoakReport): void {
  writeFileSync(path.join(resultsDir, 'soak-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
}

export function printReport(r: SoakReport): void {
  const c = r.comparison;
  const lines = [
    '',
    `== Soak report (${r.database}, ${r.minutes} min of faults, ${r.symbols} symbols, ${r.acceleration}× real time, ${r.durationSeconds} s total)`,
    `faults injected: ${Object.entries(r.faults)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `final SIGTERM drill: ${r.sigtermDrill}`,
    `reconnects ${r.reconnects} (simulator accepted ${r.simulatorConnectionsAccepted} connections); database connections killed ${r.dbConnectionsKilled}`,
    `backfill: ${r.backfill.minutesFilled} minutes filled in ${r.backfill.runs} runs (${r.backfill.requests} requests, ${r.backfill.failures} failures)`,
    `corrections (${r.correctionRate * 100} % of seconds re-broadcast): ${r.corrections.applied} applied from memory, ${r.corrections.deferred} deferred, ${r.corrections.identical} identical repeats`,
    `REST re-checks: ${r.reconcile.minutesChecked} minutes checked in ${r.reconcile.requests} requests, ${r.reconcile.minutesReplaced} replaced (volume drift ${r.reconcile.volumeDrift}), ${r.reconcile.failures} failures`,
    `writer: ${r.writer.barsWritten} bar writes in ${r.writer.flushes} flushes, ${r.writer.flushFailures} failed flushes retried, backlog ${r.writer.backlog}`,
    `rejects: ${r.rejects.counted} counted for ${r.rejects.injectedBadEvents} bad events injected (${MALFORMED_FRAMES.length} kinds) ${JSON.stringify(r.rejects.byReason)}`,
    `events: ${r.eventsGenerated} generated, ${r.eventsSent} sent, ${r.ticksProcessed} processed`,
    `compared range: ${r.comparedRange.from} → ${r.comparedRange.to} (exclusive), ${r.symbolMinutesCompared} symbol-minutes`,
    `rows compared ${c.compared}, mismatches ${c.mismatches} (missing ${c.missing}, unexpected ${c.unexpected}), vwap beyond 1e-4: ${c.vwapOff}; stored rows outside the range ${r.storedRowsOutsideRange}`,
    ...c.examples.slice(0, 10).map((line) => `  ${line}`),
    `RSS MB: start ${r.rss.startMb}, end ${r.rss.endMb} (min ${r.rss.minMb}, max ${r.rss.maxMb}); second half ${r.rss.secondHalfMbPerMin} MB/min; heap used MB ${r.heapUsedMb.start} → ${r.heapUsedMb.end}`,
    `  RSS every 20 s: ${r.rss.samples.filter((_, i) => i % 4 === 0).join(' ')} (this process also holds the simulator and the roll-up)`,
    r.ok ? 'RESULT: OK (0 mismatches)' : `RESULT: FAILED — ${r.problems.join('; ')}`,
    `report: bench-results/soak-latest.json`,
  ];
  console.log(lines.join('\n'));
}

/** The compare phase's verdicts, in the order they are reported. */
export function judge(
  compared: Compared,
  finalStatus: IngestStatusSnapshot,
  drill: FaultDrill,
  problems: string[],
  feedEvictions: number,
): void {
  if (feedEvictions !== drill.counts.eviction)
    problems.push(
      `the feed evicted ${feedEvictions} sockets for ${drill.counts.eviction} stranger(s) on the key: flapping`,
    );
  const { comparison } = compared;
  const rejectsCounted = finalStatus.ingest.ticksRejected;
  if (!compared.selfCheckOk)
    problems.push('comparator self-check failed: a nudged bar was not flagged');
  if (comparison.compared === 0) problems.push('nothing was compared');
  if (comparison.mismatches > 0) problems.push(`${comparison.mismatches} mismatching bars`);
  if (finalStatus.corrections.applied === 0)
    problems.push('no correction was applied: the feed did not exercise corrections');
  if (rejectsCounted > drill.badEventsSent)
    problems.push(
      `more rejects (${rejectsCounted}) than bad events injected (${drill.badEventsSent}): real data was rejected`,
    );
}

export function buildReport(run: {
  knobs: Knobs;
  started: number;
  db: SoakDatabase;
  sim: MassiveSimulator;
  coverage: SoakCoverage;
  drill: FaultDrill;
  memory: MemorySampler;
  stop: { description: string; finalStatus: IngestStatusSnapshot };
  compared: Compared;
}): SoakReport {
  const { knobs, sim, coverage, drill, memory, compared } = run;
  const finalStatus = run.stop.finalStatus;
  const simStatus = sim.status();
  return {
    ok: false,
    database: run.db.kind,
    minutes: knobs.minutes,
    symbols: knobs.symbolCount,
    acceleration: knobs.acceleration,
    faults: drill.counts,
    faultLog: drill.records,
    sigtermDrill: run.stop.description,
    reconnects: finalStatus.connections.reduce((sum, c) => sum + c.reconnects, 0),
    simulatorConnectionsAccepted: simStatus.connectionsAccepted,
    backfill: finalStatus.backfill,
    corrections: finalStatus.corrections,
    reconcile: finalStatus.reconcile,
    correctionRate: knobs.correctionRate,
    writer: finalStatus.writer,
    rejects: {
      injectedBadEvents: drill.badEventsSent,
      counted: finalStatus.ingest.ticksRejected,
      byReason: Object.fromEntries(
        Object.entries(finalStatus.ingest.rejectedByReason).filter(([, n]) => n > 0),
      ),
    },
    dbConnectionsKilled: drill.dbConnectionsKilled,
    eventsGenerated: simStatus.eventsGenerated,
    eventsSent: coverage.eventsSent,
    ticksProcessed: finalStatus.ingest.ticksProcessed,
    comparedRange: {
      from: new Date(compared.from).toISOString(),
      to: new Date(coverage.endMinute()).toISOString(),
      definition:
        'per symbol: from the first whole minute after its first delivered second, up to (excluding) the minute cut by the final freeze; see scripts/soak-coverage.ts',
    },
    symbolMinutesCompared: coverage.symbolMinutes(),
    comparison: compared.comparison,
    storedRowsOutsideRange: compared.outside,
    rss: memory.summary(),
    heapUsedMb: { start: memory.heapStartMb, end: memory.heapEndMb },
    durationSeconds: Math.round((Date.now() - run.started) / 1000),
    problems: [],
  };
}
