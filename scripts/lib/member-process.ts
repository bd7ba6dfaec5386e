import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { IngestStatusSnapshot } from '../../src/domain/status';
import { waitFor } from '../../testkit/wait';

/** Where `npm run build` puts the service (`npm start` runs the same file). */
export const SERVICE_ENTRY = path.resolve(__dirname, '..', '..', 'src', 'main.js');

/** Config keys a drill member must not inherit from the drill's own environment. */
const CONFIG_KEY =
  /^(PORT|LOG_LEVEL|DATABASE_URL|DATABASE_READ_URL|DATA_DIR|MASSIVE_|SYMBOLS|MAX_CONNECTIONS|FLUSH_|BACKFILL_|FEED_|SIM_|API_TOKEN|REDIS_URL|PATTERN_CHANNEL|POLL_MS|ROLE|INSTANCE_ID|LEADER_|REPLICA_)/;

/**
 * One TickStock process of a drill (`node dist/src/main.js` with ROLE etc.), its pino lines
 * copied to `logFile`, its base URL taken from the line it logs once it listens.
 */
export class MemberProcess {
  private readonly child: ChildProcess;
  private listening: string | null = null;
  /** Sums of numeric fields of log lines, by message (`gap backfilled` → minutes). */
  private readonly sums = new Map<string, number>();
  private exitStatus: string | null = null;
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    env: Record<string, string>,
    logFile: string,
  ) {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !CONFIG_KEY.test(key)),
    );
    this.child = spawn(process.execPath, [SERVICE_ENTRY], {
      env: {
        ...base,
        PORT: '0',
        LOG_LEVEL: 'info',
        INSTANCE_ID: name,
        SIM_HISTORY_SESSIONS: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile);
    this.child.stderr!.pipe(log);
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line) as { msg?: string; url?: string; minutes?: unknown };
        if (parsed.msg === 'gap backfilled' && typeof parsed.minutes === 'number')
          this.sums.set(parsed.msg, (this.sums.get(parsed.msg) ?? 0) + parsed.minutes);
        if (
          this.listening === null &&
          (parsed.msg === 'api listening' || parsed.msg === 'health listening') &&
          typeof parsed.url === 'string'
        )
          this.listening = parsed.url;
      } catch {
        // not a pino line
      }
    });
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.exitStatus = `code ${code}, signal ${signal}`;
        resolve();
      }),
    );
  }

  /** Symbol-minutes this member backfilled from REST (from its `gap backfilled` lines). */
  get minutesBackfilled(): number {
    return this.sums.get('gap backfilled') ?? 0;
  }

  get running(): boolean {
    return this.exitStatus === null;
  }

  get exitDescription(): string | null {
    return this.exitStatus;
  }

  async url(): Promise<string> {
    return waitFor(
      () => {
        if (!this.running) throw new Error(`${this.name} exited early (${this.exitStatus})`);
        return this.listening;
      },
      `${this.name} to listen`,
      90_000,
      20,
    );
  }

  async stats(): Promise<IngestStatusSnapshot> {
    const response = await fetch(`${await this.url()}/api/stats`);
    if (!response.ok) throw new Error(`${this.name} /api/stats answered ${response.status}`);
    return (await response.json()) as IngestStatusSnapshot;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 60_000): Promise<void> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}
