import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { getPGliteInstance } from 'typeorm-pglite';
import { PGliteInstance } from 'typeorm-pglite/dist/pglite-instance';
import { createDataSource, openDatabase } from '../../ormconfig';
import { fromTick, rollUp } from '../../testkit/bar-oracle';
import { diffBars, readStoredBars } from '../../testkit/stored-bars';
import { TcpProxy } from '../../testkit/tcp-proxy';
import { waitFor } from '../../testkit/wait';
import { feedInFrames, startBarLifetime } from '../helpers/bars-harness';
import { recordedStream } from '../helpers/bars-stream';
import { createTestDatabase, testPostgresUrl, type TestDatabase } from '../helpers/test-databases';

const T0 = Date.UTC(2026, 2, 2, 14, 30, 0);
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META'];

/** A real way to make the writer's database fail, and to bring it back. */
interface Fault {
  /** The DataSource the writer uses (through the fault). */
  writerSource: DataSource;
  /** A DataSource that always reaches the database, for checking. */
  checkSource: DataSource;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** PostgreSQL behind a TCP proxy: cut() resets the writer's live connections and refuses new ones. */
async function postgresFault(): Promise<Fault & { proxy: TcpProxy }> {
  const db: TestDatabase = await createTestDatabase('postgres');
  const url = new URL((db.config as { url: string }).url);
  const proxy = await TcpProxy.start(url.hostname, Number(url.port || 5432));
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const writerSource = createDataSource({ kind: 'postgres', url: url.toString() }, 4);
  await writerSource.initialize();
  return {
    proxy,
    writerSource,
    checkSource: db.dataSource,
    cut: async () => void proxy.cut(),
    restore: async () => proxy.restore(),
    close: async () => {
      proxy.restore();
      await writerSource.destroy();
      await proxy.close();
      await db.drop();
    },
  };
}

/**
 * PGlite on a data directory: cut() really closes the embedded database (every query then
 * fails with "PGlite is closed"); restore() lets the driver open it again from disk.
 */
async function pgliteFault(): Promise<Fault> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tickstock-outage-'));
  const dataSource = await openDatabase({ kind: 'pglite', dataDir });
  return {
    writerSource: dataSource,
    checkSource: dataSource,
    cut: async () => (await getPGliteInstance()).close(),
    restore: async () => {
      // typeorm-pglite keeps the closed instance; forgetting it makes the next query reopen.
      (PGliteInstance as unknown as { instance: unknown }).instance = null;
    },
    close: async () => {
      await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const kinds: ['pglite' | 'postgres', () => Promise<Fault>][] = [['pglite', pgliteFault]];
if (testPostgresUrl()) kinds.push(['postgres', postgresFault]);

describe.each(kinds)('database outage on %s', (_kind, makeFault) => {
  let fault: Fault;
  beforeAll(async () => {
    fault = await makeFault();
  });
  afterAll(async () => fault?.close());

  it('keeps feeding through the outage; afterwards every bar arrives, none twice', async () => {
    const ticks = recordedStream({ symbols: SYMBOLS, startMs: T0 + 20_000, seconds: 150, seed: 5 });
    const third = Math.floor(ticks.length / 3);
    const life = await startBarLifetime(fault.writerSource, {
      flushBatchSize: 10,
      retryMaxMs: 100,
    });

    await feedInFrames(life.pipeline, ticks.slice(0, third));
    await waitFor(() => life.writer.status().barsWritten > 0, 'first writes');
    await fault.cut();
    await feedInFrames(life.pipeline, ticks.slice(third, 2 * third));
    await waitFor(
      () => life.writer.status().flushFailures >= 3,
      'failing flushes during the outage',
    );
    // The backlog stays bounded by distinct bars (coalesced), whatever the tick count.
    const barsSoFar = rollUp(ticks.slice(0, 2 * third).map(fromTick)).size;
    expect(life.writer.backlog).toBeLessThanOrEqual(barsSoFar + 10);
    expect(life.writer.backlog).toBeGreaterThan(0);

    await fault.restore();
    await feedInFrames(life.pipeline, ticks.slice(2 * third));
    await life.writer.drain({ timeoutMs: 60_000 });
    life.writer.stop();

    expect(diffBars(await readStoredBars(fault.checkSource), rollUp(ticks.map(fromTick)))).toEqual(
      [],
    );
    expect(life.writer.status()).toMatchObject({ backlog: 0, conflicts: 0 });
    expect(life.writer.status().lastError).toEqual(expect.any(String));
  });
});

(testPostgresUrl() ? describe : describe.skip)('ambiguous failure on postgres', () => {
  let fault: Fault & { proxy: TcpProxy };
  beforeAll(async () => {
    fault = await postgresFault();
  });
  afterAll(async () => fault?.close());

  it('a batch that committed but whose reply was lost is retried as a no-op', async () => {
    const ticks = recordedStream({ symbols: SYMBOLS, startMs: T0, seconds: 40, seed: 8 });
    const half = Math.floor(ticks.length / 2);
    const life = await startBarLifetime(fault.writerSource, {
      flushIntervalMs: 600_000,
      flushBatchSize: 1000,
    });
    life.pipeline.handleTicks(ticks.slice(0, half));
    expect(await life.writer.flushNow()).toBe('flushed');

    life.pipeline.handleTicks(ticks.slice(half));
    const expected = rollUp(ticks.map(fromTick));
    fault.proxy.hold('replies');
    const attempt = life.writer.flushNow();
    // The statement commits on the server; its reply never reaches the writer.
    await waitFor(
      async () => diffBars(await readStoredBars(fault.checkSource), expected).length === 0,
      'the batch to be committed',
    );
    fault.proxy.cut();
    expect(await attempt).toBe('failed');
    fault.proxy.hold('none');
    fault.proxy.restore();

    await life.writer.drain({ timeoutMs: 30_000 });
    life.writer.stop();
    expect(diffBars(await readStoredBars(fault.checkSource), expected)).toEqual([]);
    expect(life.writer.status()).toMatchObject({
      flushFailures: 1,
      duplicatesIgnored: SYMBOLS.length,
      conflicts: 0,
    });
  });
});
