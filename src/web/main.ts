/**
 * Entry point of the dashboard bundle (esbuild → dist/web/main.js): finds the page's elements,
 * builds the views and starts polling. Everything else lives in small modules next to this one.
 */
import { currentToken, onTokenRefused, storedToken, storeToken } from './auth-session';
import { ChartView } from './chart-view';
import { Dashboard } from './dashboard';
import { byId } from './dom';
import { HealthView } from './health-view';
import { LiveFeed } from './live-feed';
import { PatternFeedView } from './pattern-feed-view';
import { parsePollMs, pollChoices, resolvePollMs } from './poll-settings';
import { QuoteView } from './quote-view';
import { SignInView, verifyToken } from './sign-in-view';
import { StatusView } from './status-view';
import { SymbolPickerView } from './symbol-picker-view';
import { timeframeByLabel } from './timeframes';

/** Keeps the URL bookmarkable (symbol, chosen interval) without adding history entries. */
function updateUrl(key: string, value: string): void {
  const next = new URL(window.location.href);
  next.searchParams.set(key, value);
  window.history.replaceState(null, '', next);
}

interface ServerConfig {
  /** The server's POLL_MS, or null when it does not say (older server, network trouble). */
  pollMs: number | null;
  /** The server has API_TOKEN: the page signs in before it polls. */
  authRequired: boolean;
}

async function fetchServerConfig(): Promise<ServerConfig> {
  try {
    const response = await fetch(new URL('api/config', window.location.href), {
      cache: 'no-store',
    });
    if (!response.ok) return { pollMs: null, authRequired: false };
    const body = (await response.json()) as { pollMs?: unknown; authRequired?: unknown };
    return {
      pollMs: parsePollMs(typeof body.pollMs === 'number' ? String(body.pollMs) : null),
      authRequired: body.authRequired === true,
    };
  } catch {
    return { pollMs: null, authRequired: false };
  }
}

/**
 * Starts polling and the live subscription at once, or after a sign-in when the server has
 * API_TOKEN. A refused token (401 on a poll, 4403 on the socket) pauses both and asks again.
 */
function startSignedIn(
  config: ServerConfig,
  endpoint: string,
  dashboard: Dashboard,
  live: LiveFeed,
): void {
  if (!config.authRequired) {
    dashboard.start();
    live.start();
    return;
  }
  const view = new SignInView(
    byId('sign-in'),
    byId<HTMLFormElement>('sign-in-form'),
    byId<HTMLInputElement>('sign-in-token'),
    byId('sign-in-message'),
    byId<HTMLButtonElement>('sign-out-button'),
  );
  let started = false;
  const run = () => {
    view.signedIn();
    if (started) dashboard.setPaused(false);
    else dashboard.start();
    started = true;
    live.start();
  };
  const halt = () => {
    if (started) dashboard.setPaused(true);
    live.stop();
  };
  const tryToken = async (token: string, fromStorage: boolean) => {
    view.busy(true);
    const verdict = await verifyToken(endpoint, token);
    view.busy(false);
    if (verdict === 'ok') {
      storeToken(token);
      run();
    } else if (verdict === 'refused') {
      storeToken(null);
      view.show(
        fromStorage
          ? 'The saved token is no longer accepted (401). Enter the current API token.'
          : 'Wrong token: the server refused it (401 Unauthorized). Check API_TOKEN and try again.',
        true,
      );
    } else {
      view.show('Could not reach the server to check the token; try again.', true);
    }
  };
  view.onSubmit((token) => void tryToken(token, false));
  view.onSignOut(() => {
    storeToken(null);
    halt();
    view.show('Signed out. Enter the API token to continue.');
  });
  onTokenRefused(() => {
    if (currentToken() === null && !started) return;
    storeToken(null);
    halt();
    view.show(
      'The server refused the token (401): it is wrong or was changed. Sign in again.',
      true,
    );
  });
  const saved = storedToken();
  if (saved !== null) void tryToken(saved, true);
  else view.show(null);
}

function start(): void {
  const url = new URL(window.location.href);
  const pollMs = resolvePollMs(
    url.searchParams.get('poll'),
    document.querySelector('meta[name="poll-ms"]')?.getAttribute('content') ?? null,
  );
  // Case kept: tickers are case-sensitive (`BCpC`); the dashboard matches it to a known one.
  const initialSymbol = url.searchParams.get('symbol')?.trim() || null;

  const endpoint = new URL('graphql', window.location.href).pathname;
  let dashboard: Dashboard | null = null;
  const picker = new SymbolPickerView(
    byId<HTMLInputElement>('symbol-search'),
    byId<HTMLUListElement>('symbol-list'),
    (symbol) => dashboard?.selectSymbol(symbol),
    (text) => dashboard?.search(text),
  );
  dashboard = new Dashboard(
    {
      chart: new ChartView(byId('chart')),
      quote: new QuoteView({
        symbol: byId('chart-symbol'),
        name: byId('chart-name'),
        price: byId('quote-price'),
        change: byId('quote-change'),
        open: byId('legend-open'),
        high: byId('legend-high'),
        low: byId('legend-low'),
        close: byId('legend-close'),
        volume: byId('legend-volume'),
        time: byId('legend-time'),
        empty: byId('chart-empty'),
      }),
      picker,
      patterns: new PatternFeedView(
        byId<HTMLOListElement>('pattern-feed'),
        byId('pattern-empty'),
        (symbol) => dashboard?.selectSymbol(symbol),
      ),
      health: new HealthView(
        byId('health-metrics'),
        byId<HTMLTableSectionElement>('connection-rows'),
        byId('health-summary'),
        byId('rejects-detail'),
      ),
      status: new StatusView(byId('live-status'), byId('conn-banner'), byId('footer-updated')),
    },
    {
      endpoint,
      pollMs,
      initialSymbol,
      onSymbolChange: (symbol) => updateUrl('symbol', symbol),
    },
  );

  const select = byId<HTMLSelectElement>('poll-interval');
  const showPollChoices = (current: number) => {
    select.replaceChildren(
      ...pollChoices(current).map((ms) => {
        const option = document.createElement('option');
        option.value = String(ms);
        option.textContent = `${ms / 1000} s`;
        option.selected = ms === current;
        return option;
      }),
    );
  };
  showPollChoices(pollMs);
  select.addEventListener('change', () => {
    dashboard?.setPollMs(Number(select.value));
    updateUrl('poll', select.value);
  });
  const liveCount = byId('live-updates');
  let pushed = 0;
  const live = new LiveFeed(endpoint, {
    bar: (symbol) => {
      pushed++;
      liveCount.dataset.count = String(pushed);
      liveCount.textContent = `Live ${pushed}`;
      liveCount.title = `${pushed} bar updates pushed over graphql-ws; last ${symbol}`;
    },
  });

  const pause = byId<HTMLButtonElement>('pause-button');
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') !== 'true';
    pause.setAttribute('aria-pressed', String(paused));
    pause.textContent = paused ? 'Resume' : 'Pause';
    dashboard?.setPaused(paused);
  });

  // Timeframe switcher: ?tf= keeps it bookmarkable.
  const frameButtons = [...document.querySelectorAll<HTMLButtonElement>('[data-timeframe]')];
  const showFrame = (label: string) => {
    for (const button of frameButtons)
      button.setAttribute('aria-pressed', String(button.dataset.timeframe === label));
  };
  const initialFrame = timeframeByLabel(url.searchParams.get('tf'));
  showFrame(initialFrame.label);
  dashboard.setTimeframe(initialFrame);
  for (const button of frameButtons) {
    button.addEventListener('click', () => {
      const frame = timeframeByLabel(button.dataset.timeframe ?? null);
      showFrame(frame.label);
      dashboard?.setTimeframe(frame);
      updateUrl('tf', frame.label);
    });
  }

  const only = byId<HTMLInputElement>('patterns-only-symbol');
  only.addEventListener('change', () => dashboard?.setOnlyCurrentSymbol(only.checked));

  const current = dashboard;
  void fetchServerConfig().then((config) => {
    // Without ?poll=, the server's POLL_MS decides (the meta tag is the offline default).
    const serverMs = config.pollMs;
    if (!url.searchParams.has('poll') && serverMs !== null && serverMs !== current.pollMs) {
      current.setPollMs(serverMs);
      showPollChoices(serverMs);
    }
    startSignedIn(config, endpoint, current, live);
  });
}

start();
