import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { DataSource } from 'typeorm';
import type { DashboardHooks } from '../../src/web/test-hooks';

const ROOT = join(__dirname, '..', '..');
export const WEB_SRC_DIR = join(ROOT, 'src', 'web');
export const WEB_DIST_DIR = join(ROOT, 'dist', 'web');
export const ARTIFACTS_DIR = join(ROOT, 'test-artifacts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/web (scripts/build-web.mjs) when it is missing or older than any file in src/web. */
export function ensureDashboardBuilt(): void {
  const bundle = join(WEB_DIST_DIR, 'main.js');
  const built = ['main.js', 'index.html', 'styles.css'].every((file) =>
    existsSync(join(WEB_DIST_DIR, file)),
  );
  if (built && statSync(bundle).mtimeMs >= newestMtime(WEB_SRC_DIR)) return;
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], {
    cwd: ROOT,
    stdio: 'pipe',
  });
}

/** The dashboard's test hooks (window.__tickstock), without the function members. */
export type HookValues = Omit<DashboardHooks, 'chartBars'>;

export async function readHooks(page: Page): Promise<HookValues | null> {
  return page.evaluate(() => {
    const hooks = window.__tickstock;
    if (!hooks) return null;
    // JSON drops the function members (chartBars) and copies the rest.
    return JSON.parse(JSON.stringify(hooks)) as Omit<typeof hooks, 'chartBars'>;
  });
}

/** A bar as the chart holds it (time as ISO minute start). */
export type PlainBar = ReturnType<DashboardHooks['chartBars']>[number];

export async function chartBars(page: Page): Promise<PlainBar[]> {
  return page.evaluate(() => window.__tickstock?.chartBars() ?? []);
}

interface BarRow {
  timestamp: Date | string;
  open: string | number;
  high: string | number;
  low: string | number;
  close: string | number;
  volume: string | number;
}

function toPlain(row: BarRow): PlainBar {
  return {
    time: new Date(row.timestamp).toISOString(),
    open: Number(row.open),
    high: Number(row.high),
    low: Number(row.low),
    close: Number(row.close),
    volume: Number(row.volume),
  };
}

/** Every stored bar of a symbol, oldest first, straight from ohlcv_1min. */
export async function storedBars(dataSource: DataSource, symbol: string): Promise<PlainBar[]> {
  const rows = await dataSource.query<BarRow[]>(
    'SELECT timestamp, open, high, low, close, volume FROM ohlcv_1min WHERE symbol = $1 ORDER BY timestamp',
    [symbol],
  );
  return rows.map(toPlain);
}

/** The newest stored bar of a symbol (the in-progress minute), or null. */
export async function newestStoredBar(
  dataSource: DataSource,
  symbol: string,
): Promise<PlainBar | null> {
  const rows = await dataSource.query<BarRow[]>(
    'SELECT timestamp, open, high, low, close, volume FROM ohlcv_1min WHERE symbol = $1 ORDER BY timestamp DESC LIMIT 1',
    [symbol],
  );
  return rows.length === 0 ? null : toPlain(rows[0]);
}
