import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless Chromium in a container (no sandbox, no GPU, no phoning home). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Everything the page reported that a user would call an error. */
export interface PageProblem {
  kind: 'console' | 'pageerror' | 'requestfailed' | 'http';
  text: string;
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console.error, uncaught exceptions, failed requests and HTTP >= 400 answers, in order. */
  problems: PageProblem[];
  close(): Promise<void>;
}

/** Launches the system Chromium (never a downloaded one) with one page whose problems are recorded. */
export async function openBrowserSession(
  viewport = { width: 1366, height: 860 },
): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: PageProblem[] = [];
  watchPage(page, problems);
  return {
    browser,
    context,
    page,
    problems,
    close: async () => {
      await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Records a page's console errors, exceptions, failed and >= 400 requests into `problems`. */
export function watchPage(page: Page, problems: PageProblem[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push({ kind: 'console', text: message.text() });
  });
  page.on('pageerror', (error) =>
    problems.push({ kind: 'pageerror', text: `${error.name}: ${error.message}` }),
  );
  page.on('requestfailed', (request) =>
    problems.push({
      kind: 'requestfailed',
      text: `${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`,
    }),
  );
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push({ kind: 'http', text: `${response.status()} ${response.url()}` });
  });
}
