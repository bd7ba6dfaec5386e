/**
 * Entry point of the dashboard bundle (esbuild → dist/web/main.js): finds the page's elements,
 * builds the views and starts polling. Everything else lives in small modules next to this one.
 */
import { ChartView } from './chart-view';
import { Dashboard } from './dashboard';
import { byId } from './dom';
import { HealthView } from './health-view';
import { PatternFeedView } from './pattern-feed-view';
import { parsePollMs, pollChoices, resolvePollMs } from './poll-settings';
import { QuoteView } from './quote-view';
import { StatusView } from './status-view';
import { SymbolPickerView } from './symbol-picker-view';
import { timeframeByLabel } from './timeframes';

/** Keeps the URL bookmarkable (symbol, chosen interval) without adding history entries. */
function updateUrl(key: string, value: string): void {
  const next = new URL(window.location.href);
  next.searchParams.set(key, value);
  window.history.replaceState(null, '', next);
}

/** The server's POLL_MS, or null when it does not say (older server, network trouble). */
async function fetchServerPollMs(): Promise<number | null> {
  try {
    const response = await fetch(new URL('api/config', window.location.href), {
      cache: 'no-store',
    });
    if (!response.ok) return null;
    const body = (await response.json()) as { pollMs?: unknown };
    return parsePollMs(typeof body.pollMs === 'number' ? String(body.pollMs) : null);
  } catch {
    return null;
  }
}

function start(): void {
  const url = new URL(window.location.href);
  const pollMs = resolvePollMs(
    url.searchParams.get('poll'),
    document.querySelector('meta[name="poll-ms"]')?.getAttribute('content') ?? null,
  );
  // Case kept: tickers are case-sensitive (`BCpC`); the dashboard matches it to a known one.
  const initialSymbol = url.searchParams.get('symbol')?.trim() || null;

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
      endpoint: new URL('graphql', window.location.href).pathname,
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
  // Without ?poll=, the server's POLL_MS decides (GET /api/config; the meta tag is the offline default).
  if (!url.searchParams.has('poll')) {
    void fetchServerPollMs().then((serverMs) => {
      if (serverMs !== null && dashboard !== null && serverMs !== dashboard.pollMs) {
        dashboard.setPollMs(serverMs);
        showPollChoices(serverMs);
      }
    });
  }

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

  dashboard.start();
}

start();
