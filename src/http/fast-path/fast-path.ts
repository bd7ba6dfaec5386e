import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ReadCache } from '../../services/cache/read-cache';
import { bearerMatches } from '../auth';
import type { AppMetrics } from '../metrics';
import { etagMatches } from '../rest';
import { keepBody, plainJsonLength, readBody } from './body-reader';
import { PreparedResponses, type PreparedResponse } from './prepared-responses';

export const REST_RECENT_PATH = '/api/ticks/recent';
const GRAPHQL_PATH = '/graphql';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Called by a slow path that produced an answer exact for `scope` at `tag`, as `body`. */
export type OfferResponse = (scope: string, tag: string, body: string, operation?: string) => void;

export interface FastPathOptions {
  cache: ReadCache;
  apiToken: string | null;
  metrics: AppMetrics;
  /** The JSON body limit of the slow path: larger bodies are left to it. */
  maxBodyBytes: number;
  /** GraphQL operation names → bounded metrics labels (shared with the metrics plugin). */
  operationLabel: (name: string | null | undefined) => string;
}

/**
 * A node:http handler in front of Express for answers already known: a request whose raw form
 * (path + query, the headers the answer depends on, the body) was answered before by the slow
 * path with a cacheable 200 is answered with the bytes it got then, while the symbol it was
 * about has no new commit (PreparedResponses). Everything else — other routes, failed auth,
 * unknown requests, bodies body-parser would refuse — goes to Express unchanged, which runs
 * every check (CSRF, depth and complexity limits, input validation) and may offer its answer.
 * So a fast answer is always one the slow path gave for the same request at the same commit.
 */
export class FastPath {
  private readonly responses: PreparedResponses;
  private readonly pending = new WeakMap<IncomingMessage, string>();
  /** Answers written by the fast path (200 and 304). */
  answered = 0;

  constructor(private readonly options: FastPathOptions) {
    this.responses = new PreparedResponses(options.cache);
  }

  /** The server's request handler: answers hits, hands the rest to `next` (the Express app). */
  handler(next: Handler): Handler {
    const { apiToken, maxBodyBytes } = this.options;
    return (req, res) => {
      const url = req.url ?? '';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const method = req.method;
      if (path !== REST_RECENT_PATH && path !== GRAPHQL_PATH) return next(req, res);
      if (method !== 'GET' && method !== 'POST') return next(req, res);
      if (apiToken !== null && !bearerMatches(req.headers.authorization, apiToken))
        return next(req, res);
      const started = performance.now();
      if (path === REST_RECENT_PATH) {
        if (method !== 'GET' || !this.serve(req, res, `R\u0000${url}`, started)) next(req, res);
        return;
      }
      const { headers } = req;
      const head = `${url}\u0000${headers.accept ?? ''}\u0000${headers['content-type'] ?? ''}`;
      if (method === 'GET') {
        // Apollo's CSRF rule for GET depends on these headers being non-empty.
        const preflight =
          (headers['apollo-require-preflight'] ?? '') !== '' ||
          (headers['x-apollo-operation-name'] ?? '') !== '';
        if (!this.serve(req, res, `G\u0000${head}\u0000${preflight ? 1 : 0}`, started))
          next(req, res);
        return;
      }
      const length = plainJsonLength(req, maxBodyBytes);
      if (length === null) return next(req, res);
      readBody(req, length, (body) => {
        if (body === null) {
          req.socket.destroy(); // the client went away mid-body: no one to answer
          return;
        }
        const key = `P\u0000${head}\u0000${body.toString('latin1')}`;
        if (this.serve(req, res, key, started)) return;
        keepBody(req, body);
        next(req, res);
      });
    };
  }

  /**
   * For the slow path: an offer function for this exchange (a no-op when the fast path did not
   * see the request). The answer is remembered once it is sent, if it was a 200 of `body`.
   */
  offerFor(req: IncomingMessage, res: ServerResponse): OfferResponse {
    return (scope, tag, body, operation) => {
      const key = this.pending.get(req);
      if (key === undefined) return;
      this.pending.delete(req);
      res.once('finish', () => {
        this.responses.remember(key, scope, tag, {
          status: res.statusCode,
          headers: res.getHeaders(),
          body,
          operation: operation === undefined ? null : this.options.operationLabel(operation),
        });
      });
    };
  }

  /** Answers a hit (true), else marks the request as offerable for the slow path (false). */
  private serve(req: IncomingMessage, res: ServerResponse, key: string, started: number): boolean {
    const hit = this.responses.lookup(key);
    if (hit === undefined) {
      this.pending.set(req, key);
      return false;
    }
    const status = this.write(req, res, hit);
    this.answered++;
    this.observe(req, key, hit, status, started);
    return true;
  }

  private write(req: IncomingMessage, res: ServerResponse, hit: PreparedResponse): number {
    const ifNoneMatch = req.headers['if-none-match'];
    if (hit.etag !== null && etagMatches(ifNoneMatch, hit.etag.tag)) {
      res.writeHead(304, ['etag', hit.etag.header]).end();
      return 304;
    }
    res.writeHead(200, hit.headers).end(hit.body);
    return 200;
  }

  private observe(
    req: IncomingMessage,
    key: string,
    hit: PreparedResponse,
    status: number,
    started: number,
  ): void {
    const seconds = (performance.now() - started) / 1000;
    const { metrics } = this.options;
    const route = key.charCodeAt(0) === 82 /* R */ ? REST_RECENT_PATH : GRAPHQL_PATH;
    metrics.httpRequestDuration.observe(
      { method: req.method ?? 'GET', route, status: String(status) },
      seconds,
    );
    if (hit.operation !== null)
      metrics.graphqlOperationDuration.observe(
        { operation: hit.operation, type: 'query', outcome: 'ok' },
        seconds,
      );
  }
}
