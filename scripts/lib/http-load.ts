import { execFile, fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LoadResult } from './load-driver';

const run = promisify(execFile);
export const WRK = '/usr/bin/wrk';

/** One load run: every request picks one of `requests` at random (one per symbol). */
export interface HttpLoadTarget {
  name: string;
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  method: 'GET' | 'POST';
  requests: { path: string; body?: string }[];
  headers?: Record<string, string>;
}

export interface HttpLoadOptions {
  connections: number;
  durationSeconds: number;
  /** Force a generator (default: wrk when installed, else autocannon). */
  generator?: 'wrk' | 'autocannon';
}

export function defaultGenerator(): 'wrk' | 'autocannon' {
  return existsSync(WRK) ? 'wrk' : 'autocannon';
}

/** Runs an external load generator process against `target`; it never shares the server's loop. */
export async function runHttpLoad(
  target: HttpLoadTarget,
  options: HttpLoadOptions,
): Promise<LoadResult & { generator: string }> {
  const generator = options.generator ?? defaultGenerator();
  return generator === 'wrk'
    ? { ...(await runWrk(target, options)), generator }
    : { ...(await runAutocannon(target, options)), generator };
}

const lua = (text: string) => JSON.stringify(text); // JSON string escapes are valid Lua here

async function runWrk(target: HttpLoadTarget, options: HttpLoadOptions): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tickstock-wrk-'));
  try {
    const script = path.join(dir, 'load.lua');
    const headers = { ...(target.headers ?? {}) };
    writeFileSync(
      script,
      `local reqs = {\n${target.requests
        .map((r) => `  { ${lua(r.path)}, ${r.body === undefined ? 'nil' : lua(r.body)} },`)
        .join('\n')}\n}
local headers = {${Object.entries(headers)
        .map(([k, v]) => `[${lua(k)}] = ${lua(v)}`)
        .join(', ')}}
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args) math.randomseed(os.time() * 1000 + id) end
function request()
  local r = reqs[math.random(#reqs)]
  return wrk.format(${lua(target.method)}, r[1], headers, r[2])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"durationUs":%d,"errors":%d,"p50":%f,"p99":%f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
`,
    );
    const { stdout } = await run(
      WRK,
      [
        '-t2',
        `-c${options.connections}`,
        `-d${options.durationSeconds}s`,
        '--timeout',
        '5s',
        '-s',
        script,
        target.url,
      ],
      { maxBuffer: 1 << 20 },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
    const r = JSON.parse(line.slice(7)) as {
      requests: number;
      durationUs: number;
      errors: number;
      p50: number;
      p99: number;
    };
    return {
      name: target.name,
      requests: r.requests,
      errors: r.errors,
      reqPerSec: r.requests / (r.durationUs / 1e6),
      p50Ms: r.p50 / 1000,
      p99Ms: r.p99 / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** autocannon in a child process of its own (autocannon-child.ts). */
function runAutocannon(target: HttpLoadTarget, options: HttpLoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'autocannon-child.js'), [
      JSON.stringify({ target, options }),
    ]);
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`autocannon child exited with ${code}`));
    });
  });
}
