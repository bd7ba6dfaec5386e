import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ConnectionState, IngestStatusSnapshot } from '../domain/status';
import { ClusterStatusType, toClusterStatusType } from './cluster-status.type';

/**
 * GraphQL mirror of IngestStatusSnapshot (src/ingest/status.ts). Maps become lists of
 * {key, count} (GraphQL has no map type); ISO strings become DateTime; counters are SafeInt
 * because a long-running feed passes 2^31 events.
 */

const ConnectionStateValues = {
  connecting: 'connecting',
  authenticating: 'authenticating',
  subscribing: 'subscribing',
  live: 'live',
  backoff: 'backoff',
  failed: 'failed',
  closed: 'closed',
} as const satisfies Record<ConnectionState, ConnectionState>;
registerEnumType(ConnectionStateValues, { name: 'ConnectionState' });

@ObjectType()
export class ReasonCount {
  @Field() reason!: string;
  @Field(() => GraphQLSafeInt) count!: number;
}

@ObjectType()
export class PatternCount {
  @Field() pattern!: string;
  @Field(() => GraphQLSafeInt) count!: number;
}

@ObjectType()
export class LatencyQuantiles {
  @Field(() => Float) p50!: number;
  @Field(() => Float) p99!: number;
}

@ObjectType()
export class IngestCounters {
  @Field(() => GraphQLSafeInt) framesReceived!: number;
  @Field(() => GraphQLSafeInt) ticksReceived!: number;
  @Field(() => GraphQLSafeInt) ticksProcessed!: number;
  @Field(() => GraphQLSafeInt) ticksRejected!: number;
  @Field(() => [ReasonCount]) rejectedByReason!: ReasonCount[];
  @Field(() => Date, { nullable: true, description: 'Feed time of the newest tick.' })
  lastTickAt!: Date | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Receive time minus feed time of the newest tick.',
  })
  lagMs!: number | null;
}

@ObjectType()
export class ConnectionStatusType {
  @Field(() => Int) id!: number;
  @Field(() => ConnectionStateValues) state!: ConnectionState;
  @Field(() => Int) symbolCount!: number;
  @Field(() => Date, { nullable: true }) connectedSince!: Date | null;
  @Field(() => Float, { nullable: true }) lastMessageAgeMs!: number | null;
  @Field(() => GraphQLSafeInt) messagesReceived!: number;
  @Field(() => GraphQLSafeInt) reconnects!: number;
  @Field(() => String, {
    nullable: true,
    description:
      'Why the last session ended: a transport reason, or what the server said (max_connections, slow_consumer: …, force_disconnect: …, auth_timeout: …).',
  })
  lastDisconnectReason!: string | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Why the socket stopped for good (state failed): auth_failed, or "another client is using this key" after repeated evictions. Null while it runs.',
  })
  fatalError!: string | null;
}

@ObjectType()
export class WriterStatusType {
  @Field(() => GraphQLSafeInt) barsWritten!: number;
  @Field(() => GraphQLSafeInt) flushes!: number;
  @Field(() => GraphQLSafeInt) flushFailures!: number;
  @Field(() => LatencyQuantiles) flushLatencyMs!: LatencyQuantiles;
  @Field(() => GraphQLSafeInt, { description: 'Bar updates waiting to be written.' })
  backlog!: number;
  @Field(() => GraphQLSafeInt) duplicatesIgnored!: number;
  @Field(() => Date, { nullable: true }) lastFlushAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
}

@ObjectType()
export class BackfillStatusType {
  @Field(() => GraphQLSafeInt) runs!: number;
  @Field(() => GraphQLSafeInt) requests!: number;
  @Field(() => GraphQLSafeInt) minutesFilled!: number;
  @Field(() => GraphQLSafeInt) failures!: number;
  @Field(() => Date, { nullable: true }) lastRunAt!: Date | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
}

@ObjectType({ description: 'Re-broadcast seconds (Massive corrects a second for 15 minutes).' })
export class CorrectionStatusType {
  @Field(() => GraphQLSafeInt, { description: 'Corrections applied from memory.' })
  applied!: number;
  @Field(() => GraphQLSafeInt, {
    description:
      'Corrections whose earlier version was not in memory: minute re-checked from REST.',
  })
  deferred!: number;
  @Field(() => GraphQLSafeInt, { description: 'Repeats identical to the version counted.' })
  identical!: number;
  @Field(() => GraphQLSafeInt, { description: 'Bars held (open, or inside their window).' })
  barsInMemory!: number;
}

@ObjectType()
export class RecheckCount {
  @Field() reason!: string;
  @Field(() => GraphQLSafeInt) count!: number;
}

@ObjectType({ description: 'REST re-checks after the correction window, and reconciliation.' })
export class ReconcileStatusType {
  @Field(() => [RecheckCount]) scheduled!: RecheckCount[];
  @Field(() => GraphQLSafeInt) pending!: number;
  @Field(() => GraphQLSafeInt) requests!: number;
  @Field(() => GraphQLSafeInt) failures!: number;
  @Field(() => GraphQLSafeInt) minutesChecked!: number;
  @Field(() => GraphQLSafeInt) minutesReplaced!: number;
  @Field(() => GraphQLSafeInt, {
    description: 'Σ |REST volume − stored volume| of replaced minutes.',
  })
  volumeDrift!: number;
  @Field(() => GraphQLSafeInt) missingInRest!: number;
  @Field(() => String, { nullable: true }) lastError!: string | null;
}

@ObjectType()
export class PatternStatusType {
  @Field(() => [PatternCount]) detectedByPattern!: PatternCount[];
  @Field(() => GraphQLSafeInt) persisted!: number;
  @Field(() => GraphQLSafeInt) published!: number;
  @Field(() => GraphQLSafeInt) publishFailures!: number;
  @Field(() => GraphQLSafeInt) queueDepth!: number;
  @Field(() => GraphQLSafeInt) dropped!: number;
}

@ObjectType('IngestStatus', {
  description: 'Live health of the feed, the bar writer, backfill and the pattern engine.',
})
export class IngestStatusType {
  @Field() startedAt!: Date;
  @Field(() => Float) uptimeSeconds!: number;
  @Field({ description: '"simulator" or "massive".' }) feed!: string;
  @Field({ description: '"pglite" or "postgres".' }) database!: string;
  @Field(() => IngestCounters) ingest!: IngestCounters;
  @Field(() => [ConnectionStatusType]) connections!: ConnectionStatusType[];
  @Field(() => WriterStatusType) writer!: WriterStatusType;
  @Field(() => BackfillStatusType) backfill!: BackfillStatusType;
  @Field(() => CorrectionStatusType) corrections!: CorrectionStatusType;
  @Field(() => ReconcileStatusType) reconcile!: ReconcileStatusType;
  @Field(() => PatternStatusType) patterns!: PatternStatusType;
  @Field(() => ClusterStatusType, {
    nullable: true,
    description: 'Scale-out roles only (ROLE=ingest|api); null for the one-box ROLE=all.',
  })
  cluster!: ClusterStatusType | null;
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

export function toIngestStatusType(snapshot: IngestStatusSnapshot): IngestStatusType {
  const { ingest, writer, backfill, patterns } = snapshot;
  return {
    startedAt: new Date(snapshot.startedAt),
    uptimeSeconds: snapshot.uptimeSeconds,
    feed: snapshot.feed,
    database: snapshot.database,
    ingest: {
      ...ingest,
      rejectedByReason: Object.entries(ingest.rejectedByReason).map(([reason, count]) => ({
        reason,
        count,
      })),
      lastTickAt: toDate(ingest.lastTickAt),
    },
    connections: snapshot.connections.map((connection) => ({
      ...connection,
      connectedSince: toDate(connection.connectedSince),
    })),
    writer: { ...writer, lastFlushAt: toDate(writer.lastFlushAt) },
    backfill: { ...backfill, lastRunAt: toDate(backfill.lastRunAt) },
    corrections: snapshot.corrections,
    reconcile: {
      ...snapshot.reconcile,
      scheduled: Object.entries(snapshot.reconcile.scheduled).map(([reason, count]) => ({
        reason,
        count,
      })),
    },
    patterns: {
      ...patterns,
      detectedByPattern: Object.entries(patterns.detectedByPattern).map(([pattern, count]) => ({
        pattern,
        count,
      })),
    },
    cluster: toClusterStatusType(snapshot.cluster),
  };
}
