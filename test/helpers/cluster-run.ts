import type { LeadershipStatus } from '../../src/domain/cluster-status';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import { waitFor } from '../../testkit/wait';
import { feedEnv, type ExternalFeed } from './app-feed';
import { ServiceProcess, type BuiltService } from './app-process';
import { fetchStats } from './app-run';

/** One spawned TickStock process of a scale-out test, with its base URL. */
export interface ClusterMember {
  name: string;
  proc: ServiceProcess;
  url: string;
}

/** Fast election timings for tests: the standby polls every 200 ms, the lease is 2 s. */
export const TEST_ELECTION_ENV = { LEADER_POLL_MS: '200', LEADER_LEASE_MS: '2000' };

/** Spawns the built service with ROLE and INSTANCE_ID set, and waits until it listens. */
export async function startMember(
  service: BuiltService,
  name: string,
  env: Record<string, string>,
): Promise<ClusterMember> {
  const proc = new ServiceProcess(service, {
    PORT: '0',
    FLUSH_INTERVAL_MS: '50',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
    INSTANCE_ID: name,
    ...TEST_ELECTION_ENV,
    ...env,
  });
  return { name, proc, url: await proc.url() };
}

/** The environment of an ingest instance on `databaseUrl` reading `feed`. */
export function ingestEnv(feed: ExternalFeed, databaseUrl: string): Record<string, string> {
  return { ROLE: 'ingest', DATABASE_URL: databaseUrl, ...feedEnv(feed) };
}

export async function leadership(member: ClusterMember): Promise<LeadershipStatus> {
  const stats: IngestStatusSnapshot = await fetchStats(member.url);
  const status = stats.cluster?.leadership;
  if (!status) throw new Error(`${member.name} reports no leadership`);
  return status;
}

export async function waitForLeadership(
  member: ClusterMember,
  state: LeadershipStatus['state'],
  timeoutMs?: number,
): Promise<LeadershipStatus> {
  let last: LeadershipStatus | null = null;
  return waitFor(
    async () => ((last = await leadership(member)).state === state ? last : undefined),
    () => `${member.name} to be ${state}: ${JSON.stringify(last)} ${member.proc.tail(5)}`,
    timeoutMs,
  );
}

/** Samples the simulator's sockets every 20 ms; `max` is the most ever open at once. */
export function watchSockets(feed: ExternalFeed): { max(): number; stop(): void } {
  let max = 0;
  const timer = setInterval(() => {
    max = Math.max(max, feed.sim.clients().length);
  }, 20);
  return { max: () => max, stop: () => clearInterval(timer) };
}

/** Kills every member still running (afterEach). */
export async function killAll(members: ClusterMember[]): Promise<void> {
  for (const { proc } of members.splice(0)) {
    if (proc.running) proc.signal('SIGKILL');
    await proc.exited;
  }
}
