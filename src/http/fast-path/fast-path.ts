import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ResponseOffer } from '../../resolvers/api-context';
import type { ReadCache } from '../../services/cache/read-cache';
import { bearerMatches } from '../auth';
import type { AppMetrics } from '../metrics';
import { keepBody, plainJsonLength, readBody } from './body-reader';
import { PreparedResponses } from './prepared-responses';
import { writeAnswer } from './write-answer';

export const REST_RECENT_PATH = '/api/ticks/recent';
const AGGREGATES_PREFIX = '/v2/aggs/ticker/';
const GRAPHQL_PATH = '/graphql';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What a slow path calls with its answer (see ResponseOffer). */
export type OfferResponse = (offer: ResponseOffer) => void;

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
  /** Keys whose answer the slow path is making now: resolves when that response is done. */
  private readonly flights = new Map<string, Promise<void>>();
  /** Answers written by the fast path (200 and 304) from a prepared response. */
  answered = 0;
  /** Answers remade by a recipe (no Express, no Apollo pipeline) after a commit. */
  remade = 0;

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
      const aggregates = path.startsWith(AGGREGATES_PREFIX);
      if (path !== REST_RECENT_PATH && path !== GRAPHQL_PATH && !aggregates) return next(req, res);
      if (method !== 'GET' && method !== 'POST') return next(req, res);
      if (apiToken !== null && !bearerMatches(req.headers.authorization, apiToken))
        return next(req, res);
      const started = performance.now();
      if (aggregates) {
        if (method !== 'GET') return next(req, res);
        // next_url is made from the Host header.
        const key = `V\u0000${url}\u0000${req.headers.host ?? ''}`;
        return this.answer({ req, res, key, route: '/v2/aggs', started, next });
      }
      if (path === REST_RECENT_PATH) {
        if (method !== 'GET') return next(req, res);
        const key = `R\u0000${url}`;
        return this.answer({ req, res, key, route: REST_RECENT_PATH, started, next });
      }
      const { headers } = req;
      const head = `${url}\u0000${headers.accept ?? ''}\u0000${headers['content-type'] ?? ''}`;
      if (method === 'GET') {
        // Express answers a conditional GET without an ETag itself (`If-None-Match: *` → 304).
        if (headers['if-none-match'] !== undefined) return next(req, res);
        // Apollo's CSRF rule for GET depends on these headers being non-empty.
        const preflight =
          (headers['apollo-require-preflight'] ?? '') !== '' ||
          (headers['x-apollo-operation-name'] ?? '') !== '';
        const key = `G\u0000${head}\u0000${preflight ? 1 : 0}`;
        return this.answer({ req, res, key, route: GRAPHQL_PATH, started, next });
      }
      const length = plainJsonLength(req, maxBodyBytes);
      if (length === null) return next(req, res);
      readBody(req, length, (body) => {
        if (body === null) {
          req.socket.destroy(); // the client went away mid-body: no one to answer
          return;
        }
        const key = `P\u0000${head}\u0000${body.toString('latin1')}`;
        this.answer({ req, res, key, route: GRAPHQL_PATH, started, next, body });
      });
    };
  }

  /**
   * For the slow path: an offer function for this exchange (a no-op when the fast path did not
   * see the request). The answer is remembered once it is sent, if it was a 200 of `body`.
   */
  offerFor(req: IncomingMessage, res: ServerResponse): OfferResponse {
    return ({ scope, tag, body, operation, remake, requestId }) => {
      const key = this.pending.get(req);
      if (key === undefined) return;
      this.pending.delete(req);
      res.once('finish', () => {
        this.responses.remember(key, scope, tag, {
          status: res.statusCode,
          headers: res.getHeaders(),
          body,
          operation: operation === undefined ? null : this.options.operationLabel(operation),
          ...(remake === undefined ? {} : { remake }),
          ...(requestId === undefined ? {} : { requestId }),
        });
      });
    };
  }

  /**
   * Answers `key` from its prepared response when exact now. A known key whose answer is being
   * remade waits for that, and one whose symbol is being written waits for the write to end
   * (a read then linearizes after the commit): both then answer from the fresh entry, so a
   * burst after a flush costs one slow-path request per key, not one per client. Anything
   * else goes to the slow path, marked so that it may offer its answer.
   */
  private answer(exchange: Exchange, waits = 0): void {
    const { req, res, key } = exchange;
    const hit = this.responses.lookup(key);
    if (hit !== undefined) {
      writeAnswer(req, res, hit, exchange.route, exchange.started, this.options.metrics);
      this.answered++;
      return;
    }
    const scope = waits < 2 ? this.responses.scopeOf(key) : undefined;
    if (scope !== undefined) {
      const { commits } = this.options.cache;
      const flight = this.flights.get(key);
      const wait = commits.busy(scope) ? withTimeout(commits.whenIdle(scope)) : flight;
      if (wait !== undefined) {
        void wait.then(() => this.answer(exchange, waits + 1));
        return;
      }
      this.lead(exchange);
      return;
    }
    this.handOn(exchange);
  }

  /**
   * Makes a known key's answer anew for everyone waiting on it: remade without the HTTP stack
   * when the recipe can, else by this request's own trip through the slow path.
   */
  private lead(exchange: Exchange): void {
    const { key, res } = exchange;
    const remade = this.responses.remake(key);
    const landed = remade.then(async (prepared) => {
      if (prepared !== null) {
        writeAnswer(
          exchange.req,
          res,
          prepared,
          exchange.route,
          exchange.started,
          this.options.metrics,
        );
        this.answered++;
        this.remade++;
        return;
      }
      const done = new Promise<void>((resolve) => res.once('close', resolve));
      this.handOn(exchange);
      await done;
    });
    this.flights.set(key, landed);
    void landed.then(() => {
      if (this.flights.get(key) === landed) this.flights.delete(key);
    });
  }

  private handOn(exchange: Exchange): void {
    const { req, res } = exchange;
    this.pending.set(req, exchange.key);
    if (exchange.body !== undefined) keepBody(req, exchange.body);
    exchange.next(req, res);
  }
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  key: string;
  route: string;
  started: number;
  next: Handler;
  /** A body already read (GraphQL POST), handed on to the slow path. */
  body?: Buffer;
}

/** Longest wait for a write to end before reading around it (a long backfill, retention). */
const IDLE_WAIT_MS = 100;

function withTimeout(idle: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, IDLE_WAIT_MS)));
  return Promise.race([idle, timeout]).finally(() => clearTimeout(timer));
}
