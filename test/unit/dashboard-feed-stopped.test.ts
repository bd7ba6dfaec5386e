import { feedFailureLines } from '../../src/web/health-view';
import { bannerText, liveState, type StatusInput } from '../../src/web/status-view';
import type { ApiConnection } from '../../src/web/types';

describe('dashboard: a feed socket that stopped for good', () => {
  const connection = (id: number, fatalError: string | null): ApiConnection => ({
    id,
    state: fatalError === null ? 'live' : 'failed',
    symbolCount: 10,
    connectedSince: null,
    lastMessageAgeMs: null,
    messagesReceived: 0,
    reconnects: 1,
    lastDisconnectReason: fatalError === null ? null : 'max_connections',
    fatalError,
  });

  it('lists why each stopped socket stopped, and nothing for running ones', () => {
    expect(feedFailureLines([connection(1, null)])).toEqual([]);
    expect(
      feedFailureLines([connection(1, 'another client is using this key: …'), connection(2, null)]),
    ).toEqual(['#1: another client is using this key: …']);
  });

  it('says the feed stopped and will not reconnect by itself, instead of promising a reconnect', () => {
    const input: StatusInput = {
      now: 100_000,
      pollMs: 2000,
      paused: false,
      lastOkAt: 99_000,
      unreachable: null,
      queryError: null,
      feedLive: false,
      feedStates: ['failed'],
      feedFailures: ['#1: another client is using this key: evicted twice'],
    };
    expect(liveState(input)).toBe('feed-down');
    // Outside market hours too: a socket stopped for good will not come back at the open.
    expect(liveState({ ...input, marketClosed: true, lastTickAt: null })).toBe('feed-down');
    expect(liveState({ ...input, feedFailures: [], marketClosed: true, lastTickAt: null })).toBe(
      'closed',
    );
    expect(bannerText('feed-down', input)).toBe(
      'The market feed stopped: #1: another client is using this key: evicted twice. It does not reconnect by itself: fix the cause, then restart TickStock.',
    );
    expect(bannerText('feed-down', { ...input, feedFailures: [] })).toContain(
      'The service reconnects by itself.',
    );
  });
});
