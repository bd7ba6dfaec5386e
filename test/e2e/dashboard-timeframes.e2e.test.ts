/**
 * The dashboard's history features in a real headless Chromium against the whole service
 * (simulator feed, in-memory PGlite, port 0), with two days of older minutes seeded before the
 * live ones: the chart opens on the newest page, scrolling back (a real mouse drag) loads older
 * bars, the timeframe switcher redraws 5-minute candles that equal the roll-up of the stored
 * minutes, and a pattern shows as a marker on its candle. Screenshots go to docs/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { RunningApp } from '../../src/app';
import type { OracleBar } from '../../testkit/bar-oracle';
import { rollUpTimeframe } from '../../testkit/bar-oracle-timeframe';
import { waitThroughErrors } from '../../testkit/wait';
import { barSeries, insertBars } from '../helpers/api-factories';
import { chartBars, readHooks, storedBars, type HookValues } from '../helpers/browser-dashboard';
import { describeBrowser, startDashboardApp } from '../helpers/dashboard-app';
import { openBrowserSession, type BrowserSession } from '../helpers/browser-session';

const DOCS_DIR = join(__dirname, '..', '..', 'docs');
const HISTORY_MINUTES = 2 * 24 * 60;

jest.setTimeout(180_000);

describeBrowser('dashboard timeframes and history in headless Chromium', () => {
  let app: RunningApp;
  let session: BrowserSession;
  let page: Page;

  const hooks = async (): Promise<HookValues> => {
    const values = await readHooks(page);
    if (values === null) throw new Error('window.__tickstock is missing');
    return values;
  };

  beforeAll(async () => {
    app = await startDashboardApp();
    // Older history ending an hour before the first live minute, priced like the live walk.
    const first = await waitThroughErrors(
      async () => (await storedBars(app.dataSource, 'AAPL'))[0] ?? null,
      'a first live AAPL minute',
      30_000,
    );
    const endMinutesAgo = Math.ceil((Date.now() - Date.parse(first.time)) / 60_000) + 60;
    await insertBars(
      app.dataSource,
      barSeries('AAPL', HISTORY_MINUTES, { seed: 3, endMinutesAgo, basePrice: first.open }),
    );
    session = await openBrowserSession({ width: 1366, height: 860 });
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await app?.stop();
  });

  it('opens on the newest page and loads older bars when scrolled back', async () => {
    await page.goto(`${app.url}/?symbol=AAPL`);
    const opened = await waitThroughErrors(
      async () => {
        const h = await hooks();
        return h.barsSymbol === 'AAPL' && h.barsShown >= 400 && h.hasOlder ? h : null;
      },
      'the newest page of AAPL with older bars available',
      60_000,
    );
    const box = (await page.locator('[data-testid=chart]').boundingBox())!;
    const loaded = await waitThroughErrors(
      async () => {
        // A real drag to the right scrolls the time axis back.
        await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
        await page.mouse.down();
        await page.mouse.move(box.x + box.width * 0.9, box.y + box.height * 0.5, { steps: 8 });
        await page.mouse.up();
        const h = await hooks();
        return h.olderLoads > 0 && h.barsShown > opened.barsShown ? h : null;
      },
      'older bars after scrolling back',
      60_000,
      300,
    );
    expect(Date.parse(loaded.firstBarTime!)).toBeLessThan(Date.parse(opened.firstBarTime!));
    // What the chart holds is the stored minutes, in order, without duplicates.
    const shown = await chartBars(page);
    const times = shown.map((b) => b.time);
    expect(new Set(times).size).toBe(times.length);
    expect(times).toEqual([...times].sort());
    const stored = new Map((await storedBars(app.dataSource, 'AAPL')).map((b) => [b.time, b]));
    for (const bar of shown.slice(0, 300)) expect(bar).toEqual(stored.get(bar.time));
    await page.screenshot({ path: join(DOCS_DIR, 'dashboard-scrollback.png') });
  });

  it('switches to 5-minute candles equal to the roll-up of the stored minutes, and shows a marker', async () => {
    // A candle pattern on the newest stored AAPL minute, newest of all patterns (so the first
    // poll of patterns brings it); the engine's own finds may add more markers.
    const newest = await app.dataSource.query<{ at: Date | string }[]>(
      `SELECT max(timestamp) AS at FROM ohlcv_1min WHERE symbol = 'AAPL'`,
    );
    const minute = new Date(newest[0].at);
    await app.dataSource.query(
      `INSERT INTO patterns (symbol, pattern, direction, confidence, price, price_change, timestamp, expires_at, indicators)
       VALUES ('AAPL', 'Hammer', 'bullish', 0.9, 100, 0.5, $1, $2, '{}')`,
      [minute.toISOString(), new Date(minute.getTime() + 15 * 60_000).toISOString()],
    );
    await page.click('[data-timeframe="5m"]');
    const switched = await waitThroughErrors(
      async () => {
        const h = await hooks();
        return h.timeframe === '5m' && h.barsSymbol === 'AAPL' && h.barsShown > 50 ? h : null;
      },
      '5-minute candles',
      30_000,
    );
    expect(page.url()).toContain('tf=5m');
    expect(await page.getAttribute('[data-timeframe="5m"]', 'aria-pressed')).toBe('true');
    const shown = await chartBars(page);
    for (const bar of shown) expect(Date.parse(bar.time) % 300_000).toBe(0);
    const minutes: OracleBar[] = (await storedBars(app.dataSource, 'AAPL')).map((b) => ({
      symbol: 'AAPL',
      minuteStartMs: Date.parse(b.time),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
      vwap: null,
      seconds: 1,
    }));
    const want = new Map(
      rollUpTimeframe(minutes, 'AAPL', { multiplier: 5, unit: 'minute' }).map((b) => [
        new Date(b.startMs).toISOString(),
        {
          time: new Date(b.startMs).toISOString(),
          open: b.open,
          high: b.high,
          low: b.low,
          close: b.close,
          volume: b.volume,
        },
      ]),
    );
    // The newest two may still be changing; every settled candle equals the oracle's.
    const settled = shown.slice(0, -2);
    expect(settled.length).toBeGreaterThan(40);
    for (const bar of settled) expect(bar).toEqual(want.get(bar.time));
    expect(switched.barsShown).toBeGreaterThan(50);
    // Older pages may still be arriving (the scroll-back above): the hook counts what is drawn.
    await waitThroughErrors(
      async () => ((await hooks()).barsShown === (await chartBars(page)).length ? true : null),
      'the hook to count the candles drawn',
      30_000,
    );

    await waitThroughErrors(
      async () => ((await hooks()).markersShown > 0 ? true : null),
      'a pattern marker on the 5-minute candles',
      30_000,
    );
    await page.screenshot({ path: join(DOCS_DIR, 'dashboard-timeframe-5m.png') });

    await page.click('[data-timeframe="1D"]');
    await waitThroughErrors(
      async () => {
        const h = await hooks();
        return h.timeframe === '1D' && h.barsShown >= 2 ? h : null;
      },
      'daily candles',
      30_000,
    );
    expect(session.problems).toEqual([]);
  });
});
