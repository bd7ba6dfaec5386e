import { benchUpsert } from '../../testkit/upsert-bench';
import {
  createTestDatabase,
  testDatabaseKinds,
  type TestDatabase,
} from '../helpers/test-databases';

describe.each(testDatabaseKinds())('benchUpsert on %s', (kind) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
  });
  afterAll(async () => db?.drop());

  it('runs insert, merge and duplicate passes through the repository (rates reported, not asserted)', async () => {
    const result = await benchUpsert(db.dataSource, 3_000, { batchSize: 1_000, symbols: 100 });
    console.log(`benchUpsert ${kind}: ${JSON.stringify(result)}`);
    expect(result.rows).toBe(3_000);
    // Each bar got its insert pass and its merge pass; the re-sent pass changed nothing.
    const [summary] = await db.dataSource.query<{ rows: number; merged: number }[]>(
      `SELECT count(*)::int AS rows,
              count(*) FILTER (WHERE seconds_mask = (1::bigint << 10) | (1::bigint << 40))::int AS merged
         FROM ohlcv_1min`,
    );
    expect(summary).toEqual({ rows: 3_000, merged: 3_000 });
  });
});
