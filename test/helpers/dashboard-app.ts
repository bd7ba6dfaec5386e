import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createQuietLogger } from '../../src/logger';
import { ensureDashboardBuilt } from './browser-dashboard';
import { chromiumAvailable } from './browser-session';

// CI installs Chromium and must run the browser suites; elsewhere a missing browser skips them.
export const describeBrowser =
  chromiumAvailable() || process.env.CI === 'true' ? describe : describe.skip;

/**
 * The whole service for a browser test, with the dashboard built: simulator feed, in-memory
 * PGlite, port 0, a 1 s poll, no history preload and no backfill (the test counts what the feed
 * sent). `env` adds to it or overrides it.
 */
export function startDashboardApp(env: Record<string, string> = {}): Promise<RunningApp> {
  ensureDashboardBuilt();
  return startApp(
    loadConfig({
      DATABASE_URL: 'memory://',
      SIM_HISTORY_SESSIONS: '0',
      PORT: '0',
      SYMBOLS: 'AAPL,MSFT',
      SIM_ACCELERATION: '30',
      POLL_MS: '1000',
      LOG_LEVEL: 'silent',
      BACKFILL_MAX_MINUTES: '0',
      ...env,
    }),
    { logger: createQuietLogger() },
  );
}
