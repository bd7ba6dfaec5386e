/**
 * `npm run bench:adopt`: adoption of the old system's database on PostgreSQL at scale. A scratch
 * database gets the old schema (testkit/legacy-schema.ts) and BENCH_ADOPT_ROWS legacy rows over
 * 389 symbols (generate_series), then TickStock opens it exactly as at start-up (preflight, then
 * the migrations) while two other sessions read and write bars back to back. Reported: adoption
 * time, how long the schema migration's transaction (the one holding ACCESS EXCLUSIVE) lasted,
 * the validation step, and the longest stall the other sessions saw — next to a baseline
 * rewriting ALTER (a volatile default) on the same table in the same run. Then the write-path
 * cost of the redundant legacy indexes (bench-index-cost.ts).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { createDataSource } from '../ormconfig';
import type { DatabaseConfig } from '../src/config';
import { readLegacyReport } from '../src/migrations/adoption/legacy-report';
import { preflightBeforeMigrations } from '../src/migrations/adoption/schema-preflight';
import {
  createLegacySchema,
  INSERT_LEGACY_MINUTES_SQL,
  INSERT_LEGACY_SYMBOLS_SQL,
  INSERT_OFF_MINUTE_SQL,
  withRawDatabase,
} from '../testkit/legacy-schema';
import { createScratchDatabase, postgresAdminUrl } from '../testkit/scratch-database';
import { measureIndexCost, type IndexCostResult } from './bench-index-cost';
import { envInt } from './lib/env';
import { LockProbe, type ProbeFigures } from './lib/lock-probe';

const SYMBOLS = 389;
const OFF_MINUTE_ROWS = 1_000;
const LEGACY_START = '2025-09-03T13:30:00Z';

interface Timed {
  sql: string;
  atMs: number;
}

/** Records when each statement started, so transaction spans can be read off afterwards. */
class StatementClock implements TypeOrmLogger {
  readonly statements: Timed[] = [];
  logQuery(query: string): void {
    this.statements.push({ sql: query, atMs: performance.now() });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** Spans from each START TRANSACTION to its COMMIT, with the statements in between. */
function transactions(statements: Timed[], endMs: number): { ms: number; first: string }[] {
  const spans: { ms: number; first: string }[] = [];
  for (let i = 0; i < statements.length; i++) {
    if (statements[i].sql !== 'START TRANSACTION') continue;
    let j = i + 1;
    while (j < statements.length && statements[j].sql !== 'COMMIT') j++;
    const end = j + 1 < statements.length ? statements[j + 1].atMs : endMs;
    const first = statements.slice(i + 1, j).find((s) => /^\s*(ALTER|CREATE|SET)/.test(s.sql));
    spans.push({
      ms: Math.round((end - statements[i].atMs) * 10) / 10,
      first: (first?.sql ?? '').trim().slice(0, 60),
    });
  }
  return spans;
}

export interface AdoptBenchResult {
  legacyRows: number;
  tableMegabytes: number;
  fillSeconds: number;
  adoptionMs: number;
  preflightMs: number;
  schemaTransactionMs: number;
  validationTransactionMs: number;
  probesDuringAdoption: { read: ProbeFigures; write: ProbeFigures };
  probesBaseline: { read: ProbeFigures; write: ProbeFigures };
  rewriteBaselineMs: number;
  /** The start-up report (off-minute count: a scan while the check is NOT VALID). */
  startupReportMs: number;
  offMinuteRows: number;
  probesDuringRewrite: { read: ProbeFigures; write: ProbeFigures };
  indexCost: IndexCostResult;
}

async function main(): Promise<void> {
  const rows = envInt('BENCH_ADOPT_ROWS', 1_000_000, 1_000, 50_000_000);
  const minutes = Math.ceil(rows / SYMBOLS);
  const scratch = await createScratchDatabase(postgresAdminUrl(), 'tickstock_bench_adopt');
  const config: DatabaseConfig = { kind: 'postgres', url: scratch.url };
  const symbols = Array.from({ length: SYMBOLS }, (_, i) => `S${String(i).padStart(4, '0')}`);
  try {
    console.log(`filling the old schema: ${SYMBOLS} symbols × ${minutes} minutes…`);
    const fillStart = performance.now();
    const { legacyRows, tableMegabytes } = await withRawDatabase(config, async (ds) => {
      await createLegacySchema(ds);
      await ds.query(INSERT_LEGACY_SYMBOLS_SQL, [symbols]);
      await ds.query(INSERT_LEGACY_MINUTES_SQL, [symbols, LEGACY_START, minutes]);
      // What the old writer leaves: rows keyed by a second's end. They keep the minute-start
      // check NOT VALID, so every start-up counts them (a scan this bench times).
      const offMinute = Array.from({ length: OFF_MINUTE_ROWS }, (_, i) =>
        new Date(Date.parse(LEGACY_START) + i * 60_000 + 37_000).toISOString(),
      );
      await ds.query(INSERT_OFF_MINUTE_SQL, [symbols[0], offMinute]);
      await ds.query('VACUUM ANALYZE ohlcv_1min');
      const [n] = await ds.query<{ n: string; mb: string }[]>(
        `SELECT count(*)::text AS n, (pg_total_relation_size('ohlcv_1min') / 1048576)::text AS mb FROM ohlcv_1min`,
      );
      return { legacyRows: Number(n.n), tableMegabytes: Number(n.mb) };
    });
    const fillSeconds = Math.round((performance.now() - fillStart) / 100) / 10;

    const probe = new LockProbe(scratch.url, symbols[7], LEGACY_START);
    await probe.start();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const probesBaseline = probe.figures();
    probe.reset();

    const clock = new StatementClock();
    const dataSource = new DataSource({
      ...createDataSource(config, 2).options,
      logging: true,
      logger: clock,
    });
    const adoptStart = performance.now();
    await dataSource.initialize();
    await preflightBeforeMigrations(dataSource);
    const preflightMs = performance.now() - adoptStart;
    await dataSource.runMigrations({ transaction: 'each' });
    const adoptionMs = performance.now() - adoptStart;
    const probesDuringAdoption = probe.figures();
    const spans = transactions(clock.statements, performance.now());
    const reportStart = performance.now();
    const legacyReport = await readLegacyReport(dataSource);
    const startupReportMs = Math.round(performance.now() - reportStart);
    if (process.env.BENCH_ADOPT_TRACE) {
      clock.statements.forEach((s, i, all) =>
        console.log(
          `${((all[i + 1]?.atMs ?? performance.now()) - s.atMs).toFixed(1).padStart(8)} ms  ${s.sql.replace(/\s+/g, ' ').slice(0, 100)}`,
        ),
      );
    }
    await dataSource.destroy();

    // Baseline in the same run: an ALTER that rewrites the table (volatile default), as a naive
    // migration would have done, under the same probes.
    probe.reset();
    const rewrite = await withRawDatabase(config, async (ds) => {
      const started = performance.now();
      await ds.query(
        `ALTER TABLE ohlcv_1min ADD COLUMN bench_rewrite bigint NOT NULL DEFAULT (random() * 0)::bigint`,
      );
      const ms = performance.now() - started;
      await ds.query(`ALTER TABLE ohlcv_1min DROP COLUMN bench_rewrite`);
      return ms;
    });
    const probesDuringRewrite = probe.figures();
    await probe.stop();

    const indexCost = await measureIndexCost(config, symbols);
    const result: AdoptBenchResult = {
      legacyRows,
      tableMegabytes,
      fillSeconds,
      adoptionMs: Math.round(adoptionMs),
      preflightMs: Math.round(preflightMs),
      schemaTransactionMs: spans[0]?.ms ?? NaN,
      validationTransactionMs: spans[1]?.ms ?? NaN,
      probesDuringAdoption,
      probesBaseline,
      rewriteBaselineMs: Math.round(rewrite),
      startupReportMs,
      offMinuteRows: legacyReport.offMinuteRows,
      probesDuringRewrite,
      indexCost,
    };
    report(result, spans);
  } finally {
    await scratch.drop();
  }
}

function report(result: AdoptBenchResult, spans: { ms: number; first: string }[]): void {
  const p = result.probesDuringAdoption;
  const r = result.probesDuringRewrite;
  console.log(`
legacy table: ${result.legacyRows} rows, ${result.tableMegabytes} MB with its 4 indexes (filled in ${result.fillSeconds} s)
adoption (preflight + migrations): ${result.adoptionMs} ms (preflight ${result.preflightMs} ms)
  schema transaction (BEGIN→COMMIT; ACCESS EXCLUSIVE is held from its first ALTER on, so at most this): ${result.schemaTransactionMs} ms
  validation transaction (SHARE UPDATE EXCLUSIVE, reads/writes go on): ${result.validationTransactionMs} ms
  transactions: ${JSON.stringify(spans)}
start-up report (counts ${result.offMinuteRows} off-minute rows, a scan): ${result.startupReportMs} ms
other sessions, longest statement: baseline read ${result.probesBaseline.read.maxMs} / write ${result.probesBaseline.write.maxMs} ms;
  during adoption read ${p.read.maxMs} ms (${p.read.statements} stmts) / write ${p.write.maxMs} ms (${p.write.statements} stmts)
  during a rewriting ALTER (baseline, ${result.rewriteBaselineMs} ms): read ${r.read.maxMs} / write ${r.write.maxMs} ms
redundant indexes (${result.indexCost.dropped.join(', ')}), TickStock's upsert path, ${result.indexCost.deltasPerRound} deltas per round:
${result.indexCost.rounds.map((x) => `  ${x.indexes.padEnd(8)} ${x.deltasPerSecond} deltas/s, ${x.replacePerSecond} replaced bars/s`).join('\n')}
  ratio without/with: upserts ${result.indexCost.upsertRatio}×, replaces ${result.indexCost.replaceRatio}×`);
  mkdirSync('bench-results', { recursive: true });
  const file = `bench-results/adopt-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(`\nwritten to ${file}`);
}

main().catch((error: unknown) => {
  console.error('bench:adopt failed:', error);
  process.exit(1);
});
