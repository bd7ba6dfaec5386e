import { LATEST_BARS_SQL, RECENT_BARS_SQL } from '../../src/repositories/bar-read.sql';
import { barSeries, insertBars, type BarSeed } from '../helpers/api-factories';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Scan Direction'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/**
 * The exact statements the API runs must be answered from the primary key index
 * (symbol, timestamp) — no Seq Scan of ohlcv_1min, no Sort. The table gets 40 symbols × 500
 * minutes (20,000 rows) and ANALYZE, so the planner chooses on real statistics: on a nearly
 * empty table a sequential scan is legitimately cheaper and the test would prove nothing.
 * `enable_seqscan` stays on for the same reason — we want the plan production gets.
 */
describe.each(testDatabaseKinds())('bar queries use ohlcv_1min_pkey (%s)', (kind) => {
  let db: TestDatabase;
  const symbols = Array.from({ length: 40 }, (_, i) => `P${String(i).padStart(3, '0')}`);
  let seeds: BarSeed[];

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    seeds = symbols.flatMap((symbol, i) => barSeries(symbol, 500, { seed: i + 1 }));
    await insertBars(db.dataSource, seeds);
    await db.dataSource.query('ANALYZE ohlcv_1min');
    await db.dataSource.query('ANALYZE symbols');
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  async function explain(sql: string, parameters: unknown[]): Promise<PlanNode[]> {
    const rows = await db.dataSource.query<{ 'QUERY PLAN': unknown }[]>(
      `EXPLAIN (FORMAT JSON) ${sql}`,
      parameters,
    );
    const raw = rows[0]['QUERY PLAN'];
    const parsed = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    return nodes(parsed[0].Plan);
  }

  function expectPkeyOnly(plan: PlanNode[]): void {
    const types = plan.map((node) => node['Node Type']);
    expect(types).not.toContain('Seq Scan');
    expect(types).not.toContain('Sort');
    const barScans = plan.filter(
      (node) =>
        /Index( Only)? Scan/.test(node['Node Type']) && node['Index Name'] !== 'symbols_pkey',
    );
    expect(barScans.length).toBeGreaterThan(0);
    for (const scan of barScans) expect(scan['Index Name']).toMatch(/ohlcv_1min_pkey$/);
  }

  it('recentTicks / REST: a backward range scan of the primary key, with and without since', async () => {
    const withSince = await explain(RECENT_BARS_SQL, [
      'P007',
      new Date(Date.now() - 3_600_000),
      60,
    ]);
    expectPkeyOnly(withSince);
    expect(
      withSince.find((node) => node['Index Name']?.endsWith('ohlcv_1min_pkey'))!['Scan Direction'],
    ).toBe('Backward');
    const noSince = await explain(RECENT_BARS_SQL, ['P007', '-infinity', 100]);
    expectPkeyOnly(noSince);
  });

  it('recentTicks: the generic plan of the prepared statement uses the index too', async () => {
    // pg drivers may reuse a prepared statement; after a few runs PostgreSQL can switch to a
    // generic plan that does not know the parameter values. Force it and check it.
    const runner = db.dataSource.createQueryRunner();
    try {
      await runner.query(`SET plan_cache_mode = force_generic_plan`);
      await runner.query(`PREPARE recent_bars(varchar, timestamptz, int) AS ${RECENT_BARS_SQL}`);
      const rows = (await runner.query(
        `EXPLAIN (FORMAT JSON) EXECUTE recent_bars('P003', '-infinity', 60)`,
      )) as { 'QUERY PLAN': unknown }[];
      const raw = rows[0]['QUERY PLAN'];
      const plan = nodes(
        ((typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[])[0].Plan,
      );
      expectPkeyOnly(plan);
      await runner.query('DEALLOCATE recent_bars');
      await runner.query('RESET plan_cache_mode');
    } finally {
      await runner.release();
    }
  });

  it('Symbol.latestBar: one index probe per symbol (LATERAL … LIMIT 1)', async () => {
    expectPkeyOnly(await explain(LATEST_BARS_SQL, [symbols.slice(0, 10)]));
  });
});
