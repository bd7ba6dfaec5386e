import { clusterMetrics, clusterSummary } from '../../src/web/health-view';
import type { ApiCluster } from '../../src/web/types';

const api: ApiCluster = {
  role: 'api',
  instanceId: 'api-1',
  leaderId: 'ingest-b',
  events: 'redis',
  leadership: {
    state: 'leader',
    election: 'advisory-lock',
    elections: 1,
    takeovers: 1,
    lastTakeoverMs: 1500,
    depositions: 0,
  },
  replica: { lagMs: 0, readsFrom: 'replica', reachable: true },
};

describe('dashboard cluster health', () => {
  it('shows nothing extra for the one-box ROLE=all', () => {
    expect(clusterSummary(null)).toBe('');
    expect(clusterMetrics(null)).toEqual([]);
  });

  it('names the instance and the leader, and shows takeovers, fan-out and replica lag', () => {
    expect(clusterSummary(api)).toBe(' · api api-1, leader ingest-b');
    const metrics = clusterMetrics(api);
    expect(metrics.map((m) => [m.key, m.value, m.tone])).toEqual([
      ['leadership', 'leader · 1 takeover · live in 1.5 s', 'good'],
      ['events', 'redis', undefined],
      ['replica', '0 ms · reads replica', undefined],
    ]);
  });

  it('warns when polling-only, when the replica lags (reads on the primary) or is unreachable', () => {
    const metrics = clusterMetrics({
      ...api,
      leadership: null,
      events: 'polling-only',
      replica: { lagMs: 5000, readsFrom: 'primary', reachable: true },
    });
    expect(metrics.map((m) => [m.key, m.value, m.tone])).toEqual([
      ['events', 'polling-only', 'warn'],
      ['replica', '5 s · reads primary', 'warn'],
    ]);
    expect(clusterSummary({ ...api, leaderId: null, leadership: null })).toBe(
      ' · api api-1, leader none',
    );
  });
});
