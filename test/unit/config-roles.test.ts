import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig: roles and scale-out keys', () => {
  it('defaults to ROLE=all with the cluster keys inert', () => {
    const config = loadConfig({});
    expect(config.role).toBe('all');
    expect(config.cluster).toMatchObject({
      readUrl: null,
      leaderPollMs: 1000,
      leaderLeaseMs: 5000,
      replicaMaxLagMs: 2000,
    });
    expect(config.cluster.instanceId).toMatch(/:\d+$/);
  });

  it('reads ROLE, INSTANCE_ID, DATABASE_READ_URL and the election timings', () => {
    const config = loadConfig({
      ROLE: 'api',
      DATABASE_URL: 'postgres://u@primary/db',
      DATABASE_READ_URL: 'postgres://u@replica/db',
      INSTANCE_ID: 'api-1',
      LEADER_POLL_MS: '200',
      LEADER_LEASE_MS: '2000',
      REPLICA_MAX_LAG_MS: '500',
    });
    expect(config.role).toBe('api');
    expect(config.cluster).toEqual({
      instanceId: 'api-1',
      readUrl: 'postgres://u@replica/db',
      leaderPollMs: 200,
      leaderLeaseMs: 2000,
      replicaMaxLagMs: 500,
    });
  });

  it('an ingest role may run on PGlite (single process: always the leader)', () => {
    expect(loadConfig({ ROLE: 'ingest' }).role).toBe('ingest');
  });

  it('rejects an unknown role, an api role or a replica without PostgreSQL, and a lease under two polls', () => {
    let error: unknown;
    try {
      loadConfig({
        ROLE: 'worker',
        DATABASE_READ_URL: 'mysql://x',
        LEADER_POLL_MS: '1000',
        LEADER_LEASE_MS: '1500',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/ROLE must be one of all, ingest, api/);
    expect(problems).toMatch(/DATABASE_READ_URL must be postgres/);
    expect(problems).toMatch(/LEADER_LEASE_MS must be at least twice LEADER_POLL_MS/);
    expect(() => loadConfig({ ROLE: 'api' })).toThrow(/ROLE=api needs DATABASE_URL=postgres/);
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://r/db' })).toThrow(
      /DATABASE_READ_URL needs DATABASE_URL=postgres/,
    );
  });
});
