import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AppMetrics } from '../metrics';
import { etagMatches } from '../rest';
import type { PreparedResponse } from './prepared-responses';

/**
 * Writes a prepared answer: 304 with its ETag when If-None-Match holds it (as the REST handler
 * answers), else the 200 bytes and headers the slow path sent. Observes the same histograms
 * the Express and Apollo paths do. Returns the status.
 */
export function writeAnswer(
  req: IncomingMessage,
  res: ServerResponse,
  hit: PreparedResponse,
  route: string,
  started: number,
  metrics: AppMetrics,
): number {
  let status = 200;
  if (hit.etag !== null && etagMatches(req.headers['if-none-match'], hit.etag.tag)) {
    status = 304;
    res.writeHead(304, ['etag', hit.etag.header]).end();
  } else res.writeHead(200, hit.headers).end(bodyOf(hit));
  const seconds = (performance.now() - started) / 1000;
  metrics.httpRequestDuration.observe(
    { method: req.method ?? 'GET', route, status: String(status) },
    seconds,
  );
  if (hit.operation !== null)
    metrics.graphqlOperationDuration.observe(
      { operation: hit.operation, type: 'query', outcome: 'ok' },
      seconds,
    );
  return status;
}

/** The body, with a fresh request id where the answer carries one (Massive's `request_id`). */
function bodyOf(hit: PreparedResponse): Buffer {
  if (hit.requestIdAt === null) return hit.body;
  const body = Buffer.from(hit.body); // a copy: the shared one may still be queued on a socket
  body.write(randomBytes(16).toString('hex'), hit.requestIdAt, 'latin1');
  return body;
}
