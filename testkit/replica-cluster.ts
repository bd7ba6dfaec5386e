import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** Where Debian puts PostgreSQL 15's server binaries (override with PG_BIN). */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * A self-contained primary + streaming replica pair under a temp dir: its own initdb cluster,
 * a pg_basebackup replica, both listening only on a Unix socket in that dir (no TCP port to
 * collide with), stopped and removed by close(). The machine's own server is never touched.
 */
export interface ReplicaCluster {
  dir: string;
  /** postgres://… URLs over the socket, database `postgres`. */
  primaryUrl: string;
  replicaUrl: string;
  /** Pauses / resumes WAL replay on the replica (to make lag visible). */
  pauseReplay(paused: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Why a replica pair cannot be started here, or null when it can. */
export function replicaClusterUnavailable(): string | null {
  for (const tool of ['initdb', 'pg_ctl', 'pg_basebackup'])
    if (!existsSync(path.join(PG_BIN, tool))) return `${PG_BIN}/${tool} is missing`;
  if (userInfo().uid === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    return 'running as root without runuser (initdb refuses root)';
  return null;
}

/** Free-standing ports are unnecessary: each pair has its own socket directory. */
const PRIMARY_PORT = 5441;
const REPLICA_PORT = 5442;

export async function startReplicaCluster(): Promise<ReplicaCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tickstock-replica-'));
  const root = userInfo().uid === 0;
  if (root) chownSync(dir, pgUid(), pgGid());
  const pg = (tool: string, args: string[]) =>
    root
      ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, tool), ...args])
      : run(path.join(PG_BIN, tool), args);
  const primary = path.join(dir, 'p');
  const replica = path.join(dir, 'r');
  const started: string[] = [];
  const stop = async () => {
    for (const data of started.splice(0).reverse())
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
  };
  try {
    await pg('initdb', ['-D', primary, '-A', 'trust', '-U', 'postgres']);
    appendFileSync(path.join(primary, 'pg_hba.conf'), '\nlocal replication all trust\n');
    const options = (port: number) => `-p ${port} -k ${dir} -c listen_addresses= -c fsync=off`;
    await pg('pg_ctl', [
      '-D',
      primary,
      '-o',
      options(PRIMARY_PORT),
      '-l',
      `${primary}.log`,
      'start',
      '-w',
    ]);
    started.push(primary);
    await pg('pg_basebackup', [
      '-h',
      dir,
      '-p',
      String(PRIMARY_PORT),
      '-U',
      'postgres',
      '-D',
      replica,
      '-R',
      '-X',
      'stream',
    ]);
    await pg('pg_ctl', [
      '-D',
      replica,
      '-o',
      options(REPLICA_PORT),
      '-l',
      `${replica}.log`,
      'start',
      '-w',
    ]);
    started.push(replica);
  } catch (error) {
    await stop();
    rmSync(dir, { recursive: true, force: true });
    throw new Error('could not start the primary + replica pair', { cause: error });
  }
  const url = (port: number) =>
    `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
  const replicaUrl = url(REPLICA_PORT);
  return {
    dir,
    primaryUrl: url(PRIMARY_PORT),
    replicaUrl,
    pauseReplay: async (paused) => {
      const client = new Client({ connectionString: replicaUrl });
      await client.connect();
      try {
        await client.query(
          paused ? 'SELECT pg_wal_replay_pause()' : 'SELECT pg_wal_replay_resume()',
        );
      } finally {
        await client.end();
      }
    },
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function pgUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

function pgGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
}
