/**
 * The autocannon fallback of http-load.ts, in its own process: random request per symbol,
 * results sent back to the parent as a LoadResult.
 */
import type { HttpLoadOptions, HttpLoadTarget } from './http-load';

/** The part of autocannon's API used here (it ships no type declarations). */
interface AutocannonRequest {
  path?: string;
  body?: string;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
  headers?: Record<string, string>;
  requests: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<{
  requests: { total: number };
  duration: number;
  errors: number;
  non2xx: number;
  latency: { p50: number; p99: number };
}>;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS package
const autocannon = require('autocannon') as Autocannon;

interface Args {
  target: HttpLoadTarget;
  options: HttpLoadOptions;
}

async function main(): Promise<void> {
  const { target, options } = JSON.parse(process.argv[2]) as Args;
  const result = await autocannon({
    url: target.url,
    connections: options.connections,
    duration: options.durationSeconds,
    method: target.method,
    headers: target.headers,
    requests: [
      {
        setupRequest: (request) => {
          const r = target.requests[Math.floor(Math.random() * target.requests.length)];
          return { ...request, path: r.path, body: r.body };
        },
      },
    ],
  });
  process.send?.({
    name: target.name,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
    reqPerSec: result.requests.total / (result.duration || options.durationSeconds),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  });
  process.exit(0);
}

void main();
