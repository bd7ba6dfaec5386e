import { h, setText } from './dom';
import { formatCompact, formatDuration, formatInt, formatLatencyPair, formatRate } from './format';
import type { ApiConnection, ApiIngestStatus } from './types';

/** Connection states that count as healthy / in trouble (the rest are transitional). */
const GOOD_STATES = new Set(['live']);
const BAD_STATES = new Set(['failed', 'closed', 'backoff']);

export function connectionTone(state: string): 'good' | 'bad' | 'warn' {
  if (GOOD_STATES.has(state)) return 'good';
  return BAD_STATES.has(state) ? 'bad' : 'warn';
}

/** " · api api-1, leader ingest-b" — which instance this is and who ingests. */
export function clusterSummary(cluster: ApiIngestStatus['cluster']): string {
  if (cluster === null) return '';
  const leader =
    cluster.leaderId ?? (cluster.leadership?.state === 'leader' ? cluster.instanceId : null);
  return ` · ${cluster.role} ${cluster.instanceId}, leader ${leader ?? 'none'}`;
}

/** Leadership (takeovers, time to live), event fan-out and replica lag, when scaled out. */
export function clusterMetrics(cluster: ApiIngestStatus['cluster']): Metric[] {
  if (cluster === null) return [];
  const list: Metric[] = [];
  const { leadership, replica } = cluster;
  if (leadership !== null)
    list.push({
      key: 'leadership',
      label: 'Ingest leader',
      value: `${leadership.state} · ${formatInt(leadership.takeovers)} takeover${leadership.takeovers === 1 ? '' : 's'}${leadership.lastTakeoverMs === null ? '' : ` · live in ${formatDuration(leadership.lastTakeoverMs)}`}`,
      tone: leadership.state === 'leader' ? 'good' : 'warn',
      title: `${leadership.election} election, ${formatInt(leadership.elections)} elections, ${formatInt(leadership.depositions)} depositions`,
    });
  list.push({
    key: 'events',
    label: 'Live events',
    value: cluster.events,
    tone: cluster.events === 'polling-only' ? 'warn' : undefined,
  });
  if (replica !== null)
    list.push({
      key: 'replica',
      label: 'Replica lag',
      value: `${replica.reachable ? formatDuration(replica.lagMs) : 'unreachable'} · reads ${replica.readsFrom}`,
      tone: !replica.reachable || replica.readsFrom === 'primary' ? 'warn' : undefined,
    });
  return list;
}

export interface Metric {
  key: string;
  label: string;
  value: string;
  tone?: 'good' | 'bad' | 'warn';
  title?: string;
}

/** Why sockets stopped for good, `#id: …` each (they do not reconnect by themselves). Pure. */
export function feedFailureLines(connections: readonly ApiConnection[]): string[] {
  return connections.flatMap((c) => (c.fatalError ? [`#${c.id}: ${c.fatalError}`] : []));
}

/** Feed health: headline metrics, one row per socket, reject reasons. */
export class HealthView {
  constructor(
    private readonly metrics: HTMLElement,
    private readonly rows: HTMLTableSectionElement,
    private readonly summary: HTMLElement,
    private readonly rejects: HTMLElement,
  ) {}

  render(status: ApiIngestStatus, ticksPerSecond: number | null): void {
    const { ingest, writer, patterns, connections } = status;
    const live = connections.filter((c) => c.state === 'live').length;
    setText(
      this.summary,
      `${status.feed} → ${status.database} · up ${formatDuration(status.uptimeSeconds * 1000)}${clusterSummary(status.cluster)}`,
    );
    const rejectRatio = ingest.ticksReceived > 0 ? ingest.ticksRejected / ingest.ticksReceived : 0;
    const list: Metric[] = [
      {
        key: 'connections',
        label: 'Connections',
        value: `${live}/${connections.length} live`,
        tone:
          connections.length > 0 && live === connections.length
            ? 'good'
            : live > 0
              ? 'warn'
              : 'bad',
      },
      { key: 'ticks-per-second', label: 'Ticks/s', value: formatRate(ticksPerSecond) },
      {
        key: 'ticks-processed',
        label: 'Ticks processed',
        value: formatCompact(ingest.ticksProcessed),
        title: formatInt(ingest.ticksProcessed),
      },
      {
        key: 'bars-written',
        label: 'Bars written',
        value: formatCompact(writer.barsWritten),
        title: formatInt(writer.barsWritten),
      },
      {
        key: 'backlog',
        label: 'Write backlog',
        value: formatInt(writer.backlog),
        tone: writer.backlog > 10_000 ? 'bad' : writer.backlog > 1_000 ? 'warn' : undefined,
      },
      {
        key: 'flush',
        label: 'Flush p50 / p99',
        value: formatLatencyPair(writer.flushLatencyMs.p50, writer.flushLatencyMs.p99),
        tone: writer.flushFailures > 0 ? 'warn' : undefined,
        title: `${formatInt(writer.flushFailures)} failed flushes`,
      },
      {
        key: 'rejects',
        label: 'Rejected',
        value: formatInt(ingest.ticksRejected),
        tone: rejectRatio > 0.01 ? 'bad' : ingest.ticksRejected > 0 ? 'warn' : undefined,
      },
      { key: 'lag', label: 'Feed lag', value: formatDuration(ingest.lagMs) },
      {
        key: 'patterns-queue',
        label: 'Pattern queue',
        value: `${formatInt(patterns.queueDepth)}${patterns.dropped > 0 ? ` (${formatInt(patterns.dropped)} dropped)` : ''}`,
        tone: patterns.dropped > 0 ? 'warn' : undefined,
      },
    ];
    // A socket that stopped for good says why, above everything else, until it is restarted.
    const alerts = feedFailureLines(connections).map((line) =>
      h('p', { className: 'feed-alert tone-bad', testId: 'feed-alert', text: `Stopped ${line}` }),
    );
    list.push(...clusterMetrics(status.cluster));
    this.metrics.replaceChildren(
      ...alerts,
      ...list.map((m) =>
        h(
          'div',
          {
            className: `metric${m.tone ? ` tone-${m.tone}` : ''}`,
            testId: `metric-${m.key}`,
            title: m.title,
          },
          [
            h('span', { className: 'metric-label', text: m.label }),
            h('span', { className: 'metric-value', text: m.value }),
          ],
        ),
      ),
    );
    this.rows.replaceChildren(...connections.map((c) => this.row(c)));
    const reasons = ingest.rejectedByReason
      .filter((r) => r.count > 0)
      .sort((a, b) => b.count - a.count);
    setText(
      this.rejects,
      reasons.length === 0
        ? ''
        : `Rejects by reason: ${reasons.map((r) => `${r.reason} ${formatInt(r.count)}`).join(' · ')}`,
    );
  }

  private row(c: ApiConnection): HTMLTableRowElement {
    const tone = connectionTone(c.state);
    const title =
      c.fatalError ??
      (c.lastDisconnectReason ? `last disconnect: ${c.lastDisconnectReason}` : undefined);
    return h(
      'tr',
      { testId: 'connection-row', attrs: { 'data-state': c.state, 'data-id': String(c.id) } },
      [
        h('td', { text: `#${c.id}` }),
        h('td', {}, [
          h('span', {
            className: `badge tone-${tone}`,
            text: c.state,
            title,
            testId: 'connection-state',
          }),
        ]),
        h('td', { className: 'num', text: formatInt(c.symbolCount) }),
        h('td', {
          className: 'num',
          text: formatDuration(c.lastMessageAgeMs),
          testId: 'connection-age',
        }),
        h('td', { className: 'num hide-narrow', text: formatCompact(c.messagesReceived) }),
        h('td', { className: 'num', text: formatInt(c.reconnects) }),
      ],
    );
  }
}
