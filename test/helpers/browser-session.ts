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

/**
 * Polls `probe` until it returns a value that is not null/undefined/false, or fails with the
 * last value seen once `timeoutMs` passes. Event-driven waiting with a deadline, never a fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs: number,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await probe();
      if (last !== null && last !== undefined && last !== false) return last as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
