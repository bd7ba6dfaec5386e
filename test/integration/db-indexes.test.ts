import { runDbIndexes } from '../../src/ops/db-indexes-command';
import { createLegacySchema, LEGACY_OHLCV_INDEXES } from '../../testkit/legacy-schema';
import {
  catalogSnapshot,
  createEmptyAppDatabase,
  type EmptyAppDatabase,
} from '../helpers/legacy-database';
import { testDatabaseKinds } from '../helpers/test-databases';

function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

const barIndexes = (catalog: string) =>
  catalog
    .split('\n')
    .filter((line) => line.startsWith('index ') && line.includes(' ON public.ohlcv_1min '))
    .map((line) => line.split(' ')[1])
    .sort();

/** The old schema's redundant indexes are reported, and dropped only by the explicit --drop. */
describe.each(testDatabaseKinds())('db:indexes on %s', (kind) => {
  let db: EmptyAppDatabase;

  beforeEach(async () => {
    db = await createEmptyAppDatabase(kind);
    await db.raw(createLegacySchema);
  });

  afterEach(async () => {
    await db?.drop();
  });

  it('reports the two indexes that repeat the primary key; drops them only with --drop', async () => {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'silent' };
    const report = sink();
    expect(await runDbIndexes([], env, report)).toMatchObject({
      code: 0,
      redundant: ['idx_1min_covering', 'idx_1min_symbol_ts'],
      dropped: [],
    });
    expect(report.text).toContain('run with --drop');
    expect(barIndexes(await db.raw(catalogSnapshot))).toEqual(LEGACY_OHLCV_INDEXES);

    expect(await runDbIndexes(['--drop'], env, sink())).toMatchObject({
      code: 0,
      dropped: ['idx_1min_covering', 'idx_1min_symbol_ts'],
    });
    expect(barIndexes(await db.raw(catalogSnapshot))).toEqual([
      'ohlcv_1min_pkey',
      'ohlcv_1min_timestamp_idx',
    ]);
    const again = sink();
    expect(await runDbIndexes(['--drop'], env, again)).toMatchObject({ code: 0, redundant: [] });
    expect(again.text).toContain('no index that repeats its primary key');
  }, 60_000);
});
