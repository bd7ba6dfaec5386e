import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';
import type { ClusterStatus } from '../domain/cluster-status';

/** GraphQL mirror of ClusterStatus (src/domain/cluster-status.ts); ISO strings become DateTime. */

@ObjectType('LeadershipStatus', { description: 'The ingest election as one instance sees it.' })
export class LeadershipStatusType {
  @Field({ description: '"leader", "standby" or "stopped".' }) state!: string;
  @Field({
    description: '"advisory-lock" (PostgreSQL) or "single-process" (PGlite: always leader).',
  })
  election!: string;
  @Field(() => Date, { nullable: true }) electedAt!: Date | null;
  @Field(() => GraphQLSafeInt) elections!: number;
  @Field(() => GraphQLSafeInt, {
    description: 'Elections won after standing by behind another leader.',
  })
  takeovers!: number;
  @Field(() => Float, {
    nullable: true,
    description: 'Lock acquired → feed live, latest election.',
  })
  lastTakeoverMs!: number | null;
  @Field(() => GraphQLSafeInt) depositions!: number;
  @Field(() => String, { nullable: true }) lastDeposedReason!: string | null;
  @Field(() => Date, { nullable: true }) lastDeposedAt!: Date | null;
}

@ObjectType('ReplicaStatus', { description: 'The read replica behind DATABASE_READ_URL.' })
export class ReplicaStatusType {
  @Field() reachable!: boolean;
  @Field(() => Float, { nullable: true }) lagMs!: number | null;
  @Field(() => Float, { nullable: true }) lagBytes!: number | null;
  @Field(() => Float) maxLagMs!: number;
  @Field({ description: '"replica", or "primary" while the replica lags beyond maxLagMs.' })
  readsFrom!: string;
  @Field(() => Date, { nullable: true }) measuredAt!: Date | null;
}

@ObjectType('ClusterStatus', { description: 'Role, ingest leadership, event fan-out, replica.' })
export class ClusterStatusType {
  @Field({ description: '"all", "ingest" or "api".' }) role!: string;
  @Field() instanceId!: string;
  @Field(() => LeadershipStatusType, { nullable: true }) leadership!: LeadershipStatusType | null;
  @Field(() => String, { nullable: true, description: 'The instance holding the ingest lock.' })
  leaderId!: string | null;
  @Field({ description: '"in-process", "redis" or "polling-only".' }) events!: string;
  @Field(() => ReplicaStatusType, { nullable: true }) replica!: ReplicaStatusType | null;
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

export function toClusterStatusType(cluster: ClusterStatus | undefined): ClusterStatusType | null {
  if (cluster === undefined) return null;
  const { leadership, replica } = cluster;
  return {
    role: cluster.role,
    instanceId: cluster.instanceId,
    leadership:
      leadership === null
        ? null
        : {
            ...leadership,
            electedAt: toDate(leadership.electedAt),
            lastDeposedAt: toDate(leadership.lastDeposedAt),
          },
    leaderId: cluster.leader?.instanceId ?? null,
    events: cluster.events,
    replica: replica === null ? null : { ...replica, measuredAt: toDate(replica.measuredAt) },
  };
}
