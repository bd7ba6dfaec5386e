import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { waitFor } from '../../testkit/wait';
import type { LogLine } from './app-run';

const ROOT = path.resolve(__dirname, '..', '..');

/** How to run the built service: `node <entry>` with `env` added. */
export interface BuiltService {
  entry: string;
  env: Record<string, string>;
  /** Where it came from: dist/ (up to date) or a private build made for this run. */
  origin: 'dist' | 'private-build';
  cleanup(): void;
}

function newestMtime(dir: string, skip: (p: string) => boolean): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, skip));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The service as `npm start` runs it (tsc output, `node …/src/main.js`). Uses dist/ when it is
 * newer than every source file; otherwise compiles with `tsconfig.build.json` into a private
 * temporary directory (never into the shared dist/, which other runs may be reading), resolving
 * packages from this checkout through NODE_PATH. tsc still emits when files it does not need
 * have type errors, so only a missing entry point fails the build. `privateBuild` forces the
 * private build.
 */
export async function builtService(
  options: { privateBuild?: boolean } = {},
): Promise<BuiltService> {
  const distEntry = path.join(ROOT, 'dist', 'src', 'main.js');
  const sourcesMtime = Math.max(
    statSync(path.join(ROOT, 'ormconfig.ts')).mtimeMs,
    newestMtime(path.join(ROOT, 'src'), (p) => p === path.join(ROOT, 'src', 'web')),
  );
  if (
    !options.privateBuild &&
    existsSync(distEntry) &&
    statSync(distEntry).mtimeMs >= sourcesMtime
  ) {
    return { entry: distEntry, env: {}, origin: 'dist', cleanup: () => undefined };
  }
  const outDir = mkdtempSync(path.join(tmpdir(), 'tickstock-build-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let failure: unknown = null;
  try {
    await promisify(execFile)(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    failure = error;
  }
  const entry = path.join(outDir, 'src', 'main.js');
  if (!existsSync(entry)) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error('building the service failed', { cause: failure });
  }
  return {
    entry,
    env: { NODE_PATH: path.join(ROOT, 'node_modules') },
    origin: 'private-build',
    cleanup: () => rmSync(outDir, { recursive: true, force: true }),
  };
}

/** Config keys the service reads; the child gets only the ones a test sets. */
const CONFIG_KEY =
  /^(NODE_ENV|NODE_OPTIONS|PORT|LOG_LEVEL|DATABASE_URL|DATA_DIR|MASSIVE_|SYMBOLS|MAX_CONNECTIONS|FLUSH_|BACKFILL_|FEED_|SIM_|API_TOKEN|REDIS_URL|PATTERN_CHANNEL|POLL_MS|ROLE|INSTANCE_ID|LEADER_|REPLICA_|DATABASE_READ_URL)/;

/** A running `node …/src/main.js` child with its pino lines parsed. */
export class ServiceProcess {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly child: ChildProcess;

  constructor(service: BuiltService, env: Record<string, string>) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !CONFIG_KEY.test(key)),
    );
    this.child = spawn(process.execPath, [service.entry], {
      cwd: ROOT,
      env: { ...base, SIM_HISTORY_SESSIONS: '0', ...service.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ msg: line, raw: true });
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  /** The base URL the service logged once it listens (PORT=0 picks a free port). */
  async url(timeoutMs = 90_000): Promise<string> {
    return waitFor(
      () => {
        if (!this.running)
          throw new Error(
            `service exited early ${JSON.stringify(this.exitStatus)}: ${this.tail()}`,
          );
        return this.lines.find(
          (line) =>
            (line.msg === 'api listening' || line.msg === 'health listening') &&
            typeof line.url === 'string',
        )?.url as string | undefined;
      },
      () => `the service to listen: ${this.tail()}`,
      timeoutMs,
      50,
    );
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Waits for exit; kills it (SIGKILL) if it does not exit in time. */
  async waitForExit(
    timeoutMs = 60_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        reject(new Error(`service did not exit within ${timeoutMs} ms: ${this.tail()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last log lines and stderr, for failure messages. */
  tail(lines = 15): string {
    const log = this.lines
      .slice(-lines)
      .map((line) => JSON.stringify(line).slice(0, 300))
      .join('\n');
    return `${log}\nstderr: ${this.stderr.slice(-2000)}`;
  }
}
