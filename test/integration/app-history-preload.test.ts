import type { RunningApp } from '../../src/app';
import { lastSessionBefore } from '../../src/ingest/history/session-preload';
import { waitFor } from '../../testkit/wait';
import { createAppDatabase, type AppDatabase } from '../helpers/app-database';
import { getJson, startTestApp, type LogLine } from '../helpers/app-run';
import { testDatabaseKinds } from '../helpers/test-databases';

interface Agg {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number;
}
interface AggsAnswer {
  results?: Agg[];
  next_url?: string;
}

/** Every page of a Massive-shaped aggregates answer (both TickStock's and the simulator's). */
async function allAggs(url: string): Promise<Agg[]> {
  const out: Agg[] = [];
  let next: string | null = url;
  while (next !== null) {
    const { status, body }: { status: number; body: AggsAnswer } = await getJson<AggsAnswer>(next);
    if (status !== 200) throw new Error(`${next} answered ${status}: ${JSON.stringify(body)}`);
    out.push(...(body.results ?? []));
    next = body.next_url ?? null;
  }
  return out;
}

const SYMBOLS = ['AAPL', 'MSFT', 'BCpC'];

/**
 * A first start with the built-in simulator loads its last session of history in the
 * background (after /healthz answers): the chart of a new user is full, with exactly the
 * values the simulator's REST serves; a restart finds it stored and does not load it again.
 */
describe.each(testDatabaseKinds())('simulator history preload (%s)', (kind) => {
  let db: AppDatabase;
  let app: RunningApp | null = null;

  beforeAll(async () => {
    db = await createAppDatabase(kind);
  });

  afterAll(async () => {
    await app?.stop();
    await db?.drop();
  });

  const start = async (): Promise<{ app: RunningApp; logs: LogLine[] }> =>
    startTestApp({
      DATABASE_URL: db.url,
      SIM_HISTORY_SESSIONS: '1',
      SYMBOLS: SYMBOLS.join(','),
    });

  it('loads the last whole session, equal to the simulator REST, once', async () => {
    const session = lastSessionBefore(Date.now());
    const first = await start();
    app = first.app;
    const running = app;
    expect(await getJson(`${running.url}/healthz`)).toEqual({
      status: 200,
      body: { status: 'ok' },
    });
    await waitFor(
      () => first.logs.some((l) => l.msg === 'history preload: session loaded'),
      () => `preload log: ${JSON.stringify(first.logs.filter((l) => l.component === 'history'))}`,
      120_000,
      100,
    );
    const feedUrl = String(first.logs.find((l) => l.msg === 'feed selected')?.url);
    const simRest = feedUrl.replace(/^ws:/, 'http:').replace(/\/stocks$/, '');
    const range = `${session.fromMs}/${session.toMs - 1}`;
    for (const symbol of SYMBOLS) {
      const served = await allAggs(
        `${running.url}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${range}?limit=500`,
      );
      const truth = await allAggs(
        `${simRest}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/1/minute/${range}?adjusted=false&apiKey=simulator`,
      );
      // The simulator trades every symbol every second: a full session is 960 minutes.
      expect(truth).toHaveLength(960);
      expect(served.map(({ t, o, h, l, c, v, vw }) => ({ t, o, h, l, c, v, vw }))).toEqual(
        truth.map(({ t, o, h, l, c, v, vw }) => ({ t, o, h, l, c, v, vw })),
      );
      const fiveMinutes = await allAggs(
        `${running.url}/v2/aggs/ticker/${encodeURIComponent(symbol)}/range/5/minute/${range}`,
      );
      expect(fiveMinutes).toHaveLength(192);
    }
    await running.stop();
    app = null;

    const second = await start();
    app = second.app;
    await waitFor(
      () => second.logs.some((l) => l.msg === 'history preload: session already stored, skipped'),
      () => `preload log: ${JSON.stringify(second.logs.filter((l) => l.component === 'history'))}`,
      120_000,
      100,
    );
    expect(second.logs.some((l) => l.msg === 'history preload: session loaded')).toBe(false);
  }, 300_000);
});
