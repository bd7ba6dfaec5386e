import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestStatusSnapshot } from '../domain/status';

/** Prometheus metrics of one TickStock process, on a registry of its own (no global state). */
export interface AppMetrics {
  registry: Registry;
  /** Write-behind flush duration in seconds; the bar writer observes it after each flush. */
  flushLatency: Histogram;
  /** HTTP request duration in seconds by method, route (a fixed label set) and status. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** GraphQL operation duration in seconds by operation name, type and outcome. */
  graphqlOperationDuration: Histogram<'operation' | 'type' | 'outcome'>;
  /** Rows removed by RETENTION_DAYS, by table. */
  retentionRowsDeleted: Counter<'table'>;
  /** Copies an ingest status snapshot into the counters/gauges; call right before a scrape. */
  recordStatus(snapshot: IngestStatusSnapshot): void;
}

const PREFIX = 'tickstock_';

/** Counters read from the status snapshot: reset-and-set, since the snapshot owns the totals. */
class SnapshotCounter<L extends string> {
  readonly counter: Counter<L>;
  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[] = []) {
    this.counter = new Counter({
      name: `${PREFIX}${name}`,
      help,
      labelNames,
      registers: [registry],
    });
  }
  set(values: [Partial<Record<L, string | number>>, number][]): void {
    this.counter.reset();
    for (const [labels, value] of values) {
      if (Number.isFinite(value) && value >= 0) this.counter.inc(labels, value);
    }
  }
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): AppMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: PREFIX });

  const counter = <L extends string>(name: string, help: string, labels: readonly L[] = []) =>
    new SnapshotCounter<L>(registry, name, help, labels);
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name: `${PREFIX}${name}`, help, labelNames, registers: [registry] });

  const framesReceived = counter(
    'frames_received_total',
    'WebSocket frames received from the feed',
  );
  const ticksReceived = counter(
    'ticks_received_total',
    'Aggregate events seen in frames, valid or not',
  );
  const ticksProcessed = counter('ticks_processed_total', 'Valid aggregate events handled');
  const ticksRejected = counter('ticks_rejected_total', 'Events dropped, by reason', ['reason']);
  const barsWritten = counter('bars_written_total', 'Bar rows upserted');
  const flushes = counter('flushes_total', 'Write-behind flushes');
  const flushFailures = counter(
    'flush_failures_total',
    'Write-behind flushes that failed (retried)',
  );
  const duplicates = counter(
    'duplicate_seconds_ignored_total',
    'Re-delivered seconds the database already had',
  );
  const reconnects = counter('connection_reconnects_total', 'Feed socket reconnects', [
    'connection',
  ]);
  const messages = counter('connection_messages_total', 'Messages per feed socket', ['connection']);
  const backfillMinutes = counter(
    'backfill_minutes_filled_total',
    'Minutes filled from the REST aggregates endpoint',
  );
  const backfillFailures = counter('backfill_failures_total', 'Backfill requests that failed');
  const corrections = counter(
    'corrections_total',
    'Re-broadcast seconds: applied from memory, or deferred to a REST re-check',
    ['outcome'],
  );
  const rechecks = counter('recheck_minutes_total', 'Minutes re-checked from REST, by outcome', [
    'outcome',
  ]);
  const recheckDrift = counter(
    'recheck_volume_drift_total',
    'Σ |REST volume − stored volume| over minutes the re-check replaced',
  );
  const recheckPending = gauge('recheck_pending_minutes', 'Minutes waiting for their re-check');
  const patternsDetected = counter('patterns_detected_total', 'Patterns detected, by pattern', [
    'pattern',
  ]);
  const patternsDropped = counter('patterns_dropped_total', 'Pattern events dropped under load');
  const backlog = gauge(
    'writer_backlog',
    'Bar updates waiting to be written (coalesced by bar key)',
  );
  const lag = gauge('ingest_lag_seconds', 'Receive time minus feed time of the newest tick');
  const uptime = gauge('uptime_seconds', 'Seconds since start');
  const connections = gauge('feed_connections', 'Feed sockets by state', ['state']);
  const patternQueue = gauge(
    'pattern_queue_depth',
    'Pattern events waiting to be persisted/published',
  );

  const isLeader = gauge(
    'ingest_leader',
    'Whether this ingest instance holds the ingest lock (1) or stands by (0)',
  );
  const elections = counter('leader_elections_total', 'Times this instance became ingest leader');
  const takeovers = counter(
    'leader_takeovers_total',
    'Elections won after standing by behind another leader',
  );
  const depositions = counter(
    'leader_depositions_total',
    'Times this instance lost the lock while leading',
  );
  const takeoverSeconds = gauge(
    'leader_takeover_seconds',
    'Latest election: lock acquired to every feed socket live',
  );
  const replicaLag = gauge('replica_lag_seconds', 'Read replica replay lag (0 when caught up)');
  const replicaLagBytes = gauge('replica_lag_bytes', 'Primary WAL position minus replica replay');
  const readsFromReplica = gauge(
    'reads_from_replica',
    'Whether API reads go to the replica (1) or the primary (0)',
  );

  const flushLatency = new Histogram({
    name: `${PREFIX}flush_latency_seconds`,
    help: 'Duration of one write-behind flush (upsert of a batch of bars)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpRequestDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const graphqlOperationDuration = new Histogram({
    name: `${PREFIX}graphql_operation_duration_seconds`,
    help: 'GraphQL operation duration by operation name',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });

  const retentionRowsDeleted = new Counter({
    name: `${PREFIX}retention_rows_deleted_total`,
    help: 'Rows older than RETENTION_DAYS removed, by table',
    labelNames: ['table'] as const,
    registers: [registry],
  });

  function recordStatus(snapshot: IngestStatusSnapshot): void {
    const { ingest, writer, backfill, patterns } = snapshot;
    framesReceived.set([[{}, ingest.framesReceived]]);
    ticksReceived.set([[{}, ingest.ticksReceived]]);
    ticksProcessed.set([[{}, ingest.ticksProcessed]]);
    ticksRejected.set(
      Object.entries(ingest.rejectedByReason).map(([reason, n]) => [{ reason }, n]),
    );
    barsWritten.set([[{}, writer.barsWritten]]);
    flushes.set([[{}, writer.flushes]]);
    flushFailures.set([[{}, writer.flushFailures]]);
    duplicates.set([[{}, writer.duplicatesIgnored]]);
    reconnects.set(snapshot.connections.map((c) => [{ connection: c.id }, c.reconnects]));
    messages.set(snapshot.connections.map((c) => [{ connection: c.id }, c.messagesReceived]));
    backfillMinutes.set([[{}, backfill.minutesFilled]]);
    backfillFailures.set([[{}, backfill.failures]]);
    corrections.set([
      [{ outcome: 'applied' }, snapshot.corrections.applied],
      [{ outcome: 'deferred' }, snapshot.corrections.deferred],
    ]);
    rechecks.set([
      [{ outcome: 'checked' }, snapshot.reconcile.minutesChecked],
      [{ outcome: 'replaced' }, snapshot.reconcile.minutesReplaced],
    ]);
    recheckDrift.set([[{}, snapshot.reconcile.volumeDrift]]);
    recheckPending.set(snapshot.reconcile.pending);
    patternsDetected.set(
      Object.entries(patterns.detectedByPattern).map(([pattern, n]) => [{ pattern }, n]),
    );
    patternsDropped.set([[{}, patterns.dropped]]);
    backlog.set(writer.backlog);
    if (ingest.lagMs === null) lag.reset();
    else lag.set(ingest.lagMs / 1000);
    uptime.set(snapshot.uptimeSeconds);
    connections.reset();
    const byState = new Map<string, number>();
    for (const connection of snapshot.connections) {
      byState.set(connection.state, (byState.get(connection.state) ?? 0) + 1);
    }
    for (const [state, count] of byState) connections.set({ state }, count);
    patternQueue.set(patterns.queueDepth);
    const leadership = snapshot.cluster?.leadership;
    if (leadership) {
      isLeader.set(leadership.state === 'leader' ? 1 : 0);
      elections.set([[{}, leadership.elections]]);
      takeovers.set([[{}, leadership.takeovers]]);
      depositions.set([[{}, leadership.depositions]]);
      if (leadership.lastTakeoverMs !== null) takeoverSeconds.set(leadership.lastTakeoverMs / 1000);
    }
    const replica = snapshot.cluster?.replica;
    if (replica) {
      if (replica.lagMs !== null) replicaLag.set(replica.lagMs / 1000);
      if (replica.lagBytes !== null) replicaLagBytes.set(replica.lagBytes);
      readsFromReplica.set(replica.readsFrom === 'replica' ? 1 : 0);
    }
  }

  return {
    registry,
    flushLatency,
    httpRequestDuration,
    graphqlOperationDuration,
    retentionRowsDeleted,
    recordStatus,
  };
}

/**
 * Labels the request for the HTTP duration histogram. Routes label themselves (a fixed set);
 * everything else is 'other', so random URLs cannot blow up the label cardinality.
 */
export function routeLabel(route: string): RequestHandler {
  return (_req, res, next) => {
    res.locals.metricsRoute = route;
    next();
  };
}

/** Observes every request's duration once the response is finished. */
export function httpMetricsMiddleware(metrics: AppMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      const route = typeof res.locals.metricsRoute === 'string' ? res.locals.metricsRoute : 'other';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
