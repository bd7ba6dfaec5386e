import { setText } from './dom';
import { formatClock, formatDuration } from './format';

export type LiveState =
  'connecting' | 'live' | 'paused' | 'stale' | 'offline' | 'error' | 'feed-down' | 'closed';

export interface StatusInput {
  now: number;
  pollMs: number;
  paused: boolean;
  lastOkAt: number | null;
  /** The last poll got no answer. */
  unreachable: string | null;
  /** The last poll was answered with GraphQL errors. */
  queryError: string | null;
  /** null until the first status arrives. */
  feedLive: boolean | null;
  feedStates: string[];
  /** Why feed sockets stopped for good; they do not reconnect by themselves. */
  feedFailures?: string[];
  /** Outside the feed's extended day (weekdays 04:00–20:00 New York). */
  marketClosed?: boolean;
  /** When the feed last sent an aggregate (ms), null when unknown. */
  lastTickAt?: number | null;
}

/** A feed silent this long outside market hours is the market closed, not a fault. */
export const QUIET_FEED_MS = 60_000;

/** No successful poll for this long means the data on screen is stale. */
export function staleAfterMs(pollMs: number): number {
  return Math.max(3 * pollMs, 6000);
}

/** Decides the page state. Pure. */
export function liveState(input: StatusInput): LiveState {
  if (input.paused) return 'paused';
  if (input.unreachable !== null) return 'offline';
  if (input.queryError !== null) return 'error';
  if (input.lastOkAt === null) return 'connecting';
  if (input.now - input.lastOkAt > staleAfterMs(input.pollMs)) return 'stale';
  const quiet =
    input.feedLive === false ||
    (input.lastTickAt !== undefined &&
      (input.lastTickAt === null || input.now - input.lastTickAt > QUIET_FEED_MS));
  // A socket stopped for good is a fault whatever the hour: it will not come back at the open.
  if ((input.feedFailures?.length ?? 0) > 0) return 'feed-down';
  if (input.marketClosed === true && quiet) return 'closed';
  if (input.feedLive === false) return 'feed-down';
  return 'live';
}

const PILL_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  paused: 'Paused',
  stale: 'Stale',
  offline: 'Disconnected',
  error: 'API error',
  'feed-down': 'Feed down',
  closed: 'Market closed',
};

function since(input: StatusInput): string {
  if (input.lastOkAt === null) return 'No data received yet.';
  return `Last update ${formatClock(new Date(input.lastOkAt))} (${formatDuration(input.now - input.lastOkAt)} ago).`;
}

/** The banner text for a state, or null when no banner is needed. Pure. */
export function bannerText(state: LiveState, input: StatusInput): string | null {
  const retry = `Retrying every ${formatDuration(input.pollMs)}.`;
  switch (state) {
    case 'offline':
      return `Disconnected: the TickStock API cannot be reached (${input.unreachable ?? 'no answer'}). ${retry} ${since(input)}`;
    case 'error':
      return `The API answered with an error: ${input.queryError ?? 'unknown'}. ${retry} ${since(input)}`;
    case 'stale':
      return `Data is stale: no answer from the API for ${formatDuration(input.now - (input.lastOkAt ?? input.now))}. ${retry}`;
    case 'feed-down':
      if (input.feedFailures !== undefined && input.feedFailures.length > 0)
        return `The market feed stopped: ${input.feedFailures.join('; ')}. It does not reconnect by itself: fix the cause, then restart TickStock.`;
      return `The market feed is not connected (${input.feedStates.join(', ') || 'no sockets'}): prices are not updating. The service reconnects by itself.`;
    case 'closed':
      return 'The market is closed (the feed is quiet outside 04:00–20:00 New York, weekdays): the last session is shown and bars resume at the next open.';
    case 'connecting':
    case 'live':
    case 'paused':
      return null;
  }
}

/** The header pill and the banner under it. */
export class StatusView {
  constructor(
    private readonly pill: HTMLElement,
    private readonly banner: HTMLElement,
    private readonly footer: HTMLElement,
  ) {}

  render(state: LiveState, input: StatusInput): void {
    this.pill.dataset.state = state;
    // Lets the stylesheet dim data that is no longer current.
    document.body.dataset.state = state;
    setText(
      this.pill,
      state === 'live' ? `Live · ${formatDuration(input.pollMs)}` : PILL_TEXT[state],
    );
    const text = bannerText(state, input);
    this.banner.hidden = text === null;
    this.banner.dataset.state = state;
    if (text !== null) setText(this.banner, text);
    setText(
      this.footer,
      input.lastOkAt === null
        ? 'Not updated yet'
        : `Updated ${formatClock(new Date(input.lastOkAt))} · every ${formatDuration(input.pollMs)}${input.paused ? ' (paused)' : ''}`,
    );
  }
}
