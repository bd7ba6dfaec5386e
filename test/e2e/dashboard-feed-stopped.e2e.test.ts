/**
 * The dashboard in headless Chromium when Massive-style tickers and a shared key meet it: a
 * bookmarked `?symbol=abrpd` shows the preferred share `ABRpD` as stored, and when another
 * client on the same key makes the app stop its socket, the health panel and the banner say
 * "another client is using this key" instead of promising a reconnect.
 */
import type { Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { MassivePool } from '../../src/ingest/massive/pool';
import { createQuietLogger } from '../../src/logger';
import { waitThroughErrors } from '../../testkit/wait';
import { FEED_API_KEY, feedEnv, startExternalFeed, type ExternalFeed } from '../helpers/app-feed';
import { ensureDashboardBuilt, readHooks } from '../helpers/browser-dashboard';
import { describeBrowser } from '../helpers/dashboard-app';
import { openBrowserSession, type BrowserSession } from '../helpers/browser-session';

jest.setTimeout(120_000);

describeBrowser('dashboard: case-sensitive tickers and a feed stopped for good', () => {
  let feed: ExternalFeed;
  let app: RunningApp;
  let session: BrowserSession;
  let page: Page;
  let other: MassivePool | null = null;

  beforeAll(async () => {
    ensureDashboardBuilt();
    feed = await startExternalFeed({
      symbols: ['AAPL', 'ABRpD', 'BCPC', 'BCpC'],
      real: { maxConnections: 1 },
    });
    app = await startApp(
      loadConfig({
        ...feedEnv(feed),
        DATABASE_URL: 'memory://',
        SIM_HISTORY_SESSIONS: '0',
        PORT: '0',
        POLL_MS: '1000',
        LOG_LEVEL: 'silent',
        FEED_EVICTION_BACKOFF_MS: '200',
      }),
      { logger: createQuietLogger() },
    );
    feed.driver.run();
    session = await openBrowserSession();
    page = session.page;
  });

  afterAll(async () => {
    await other?.close();
    await session?.close();
    await app?.stop();
    await feed?.close();
  });

  it('?symbol=abrpd shows ABRpD, exactly as stored', async () => {
    await page.goto(`${app.url}/?symbol=abrpd`);
    await waitThroughErrors(
      async () => {
        const hooks = await readHooks(page);
        return hooks !== null && hooks.barsSymbol === 'ABRpD' && hooks.barsShown >= 1
          ? hooks
          : null;
      },
      'ABRpD bars on the chart',
      60_000,
    );
    expect(await page.textContent('[data-testid=chart-symbol]')).toBe('ABRpD');
  });

  it('shows why the feed stopped when another client takes the key', async () => {
    other = new MassivePool({
      url: feed.wsUrl,
      apiKey: FEED_API_KEY,
      symbols: feed.symbols,
      connections: 1,
      source: 'simulator',
      listener: { frame: () => undefined },
      maxConnectionsBackoffMs: 200,
    });
    other.start();
    const alert = page.locator('[data-testid=feed-alert]');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.textContent()).toMatch(/^Stopped #1: another client is using this key: /);
    const row = page.locator('[data-testid=connection-row]').first();
    await waitThroughErrors(
      async () => ((await row.getAttribute('data-state')) === 'failed' ? true : null),
      'the socket row to show failed',
      20_000,
    );
    const banner = page.locator('[data-testid=conn-banner]');
    await waitThroughErrors(
      async () => ((await banner.isVisible()) ? true : null),
      'the feed banner',
      20_000,
    );
    expect(await banner.textContent()).toMatch(
      /^The market feed stopped: #1: another client is using this key: .*It does not reconnect by itself/,
    );
    expect(await page.getAttribute('[data-testid=live-status]', 'data-state')).toBe('feed-down');
  });
});
