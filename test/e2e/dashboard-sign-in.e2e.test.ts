/**
 * The dashboard against a server with API_TOKEN (and METRICS_TOKEN), in headless Chromium:
 * it asks for the token, explains a wrong one, polls and subscribes once signed in (bearer on
 * GraphQL, token in graphql-ws connectionParams), keeps the token for the tab, signs out.
 */
import type { Page } from 'playwright-core';
import type { RunningApp } from '../../src/app';
import { waitFor } from '../../testkit/wait';
import { readHooks } from '../helpers/browser-dashboard';
import { describeBrowser, startDashboardApp } from '../helpers/dashboard-app';
import { openBrowserSession, type BrowserSession } from '../helpers/browser-session';

const TOKEN = 'e2e-secret-token';
const METRICS_TOKEN = 'e2e-metrics-token';

jest.setTimeout(120_000);

describeBrowser('dashboard sign-in with API_TOKEN (headless Chromium)', () => {
  let app: RunningApp;
  let session: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    app = await startDashboardApp({ API_TOKEN: TOKEN, METRICS_TOKEN });
    session = await openBrowserSession();
    page = session.page;
  });

  afterAll(async () => {
    await session?.close();
    await app?.stop();
  });

  const polls = async () => (await readHooks(page))?.polls ?? 0;
  const pushed = async () =>
    Number((await page.getAttribute('[data-testid=live-updates]', 'data-count')) ?? '0');

  it('asks for the token in a password field and explains a wrong one', async () => {
    await page.goto(`${app.url}/?symbol=AAPL`);
    await page.locator('[data-testid=sign-in-token]').waitFor({ state: 'visible' });
    expect(await page.getAttribute('[data-testid=sign-in-token]', 'type')).toBe('password');
    expect(await page.isHidden('[data-testid=sign-out]')).toBe(true);
    await page.fill('[data-testid=sign-in-token]', 'not-the-token');
    await page.press('[data-testid=sign-in-token]', 'Enter');
    const message = page.locator('[data-testid=sign-in-message]');
    await message.waitFor({ state: 'visible' });
    expect(await message.textContent()).toMatch(/Wrong token.*401/);
    expect(await page.evaluate(() => sessionStorage.getItem('tickstock.apiToken'))).toBeNull();
    expect((await readHooks(page))?.barsShown ?? 0).toBe(0); // nothing loaded without the token
  });

  it('signs in with Enter, then polls with the bearer token and receives subscription pushes', async () => {
    await page.fill('[data-testid=sign-in-token]', TOKEN);
    await page.press('[data-testid=sign-in-token]', 'Enter');
    await page.locator('[data-testid=sign-in]').waitFor({ state: 'hidden' });
    expect(await page.isVisible('[data-testid=sign-out]')).toBe(true);
    await waitFor(
      async () => ((await readHooks(page))?.barsShown ?? 0) >= 1,
      'bars polled',
      60_000,
    );
    const seen = await polls();
    await waitFor(async () => (await polls()) > seen, 'another poll', 30_000);
    await waitFor(async () => (await pushed()) > 0, 'a barUpdated push over graphql-ws', 30_000);
    expect(await page.evaluate(() => sessionStorage.getItem('tickstock.apiToken'))).toBe(TOKEN);
  });

  it('keeps the token for the tab session: a reload needs no sign-in', async () => {
    await page.reload();
    await waitFor(async () => (await polls()) > 0, 'polls after reload', 30_000);
    expect(await page.isHidden('[data-testid=sign-in]')).toBe(true);
    await waitFor(async () => (await pushed()) > 0, 'pushes after reload', 30_000);
  });

  it('signs out: the form is back and the token is gone', async () => {
    await page.click('[data-testid=sign-out]');
    await page.locator('[data-testid=sign-in-token]').waitFor({ state: 'visible' });
    expect(await page.textContent('[data-testid=sign-in-message]')).toMatch(/Signed out/);
    expect(await page.evaluate(() => sessionStorage.getItem('tickstock.apiToken'))).toBeNull();
  });

  it('a stored token the server no longer accepts is explained, not retried silently', async () => {
    await page.evaluate(() => sessionStorage.setItem('tickstock.apiToken', 'rotated-away'));
    await page.reload();
    const message = page.locator('[data-testid=sign-in-message]');
    await message.waitFor({ state: 'visible' });
    expect(await message.textContent()).toMatch(/no longer accepted \(401\)/);
  });

  it('nothing unauthenticated reveals data; /metrics needs METRICS_TOKEN', async () => {
    expect((await fetch(`${app.url}/api/ticks/recent?symbol=AAPL`)).status).toBe(401);
    const graphql = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ recentTicks(symbol: "AAPL") { close } }' }),
    });
    expect(graphql.status).toBe(401);
    expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(wrong.status).toBe(401);
    const metrics = await fetch(`${app.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tickstock_read_cache_hits_total');
  });
});
