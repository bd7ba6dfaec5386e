import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { MinuteBook } from './minute-book';
import {
  aggregatesResponse,
  errorResponse,
  parseAggregatesRequest,
  type RestResponse,
} from './rest-aggregates';
import type { SimulatorCounters } from './simulator-socket';

export interface SimulatorRestPolicy {
  acceptsKey(key: string): boolean;
  /** REST page size cap (below the request's `limit`), to exercise `next_url`. */
  pageSize: number;
  /** Feed time before which every minute is complete (REST serves only those). */
  completeBeforeMs(): number;
  /** How long after its end REST publishes a minute of `symbol`, ms of feed time. */
  lagMs(symbol: string, minuteStartMs: number): number;
}

/**
 * The simulator's HTTP side: the REST aggregates endpoint over the recorded minute book, the
 * API key check (query `apiKey` or a bearer token), and injected failures for retry tests.
 */
export class SimulatorRest {
  private failures: { remaining: number; status: number; retryAfterSeconds: number | null } = {
    remaining: 0,
    status: 500,
    retryAfterSeconds: null,
  };

  constructor(
    private readonly book: MinuteBook,
    private readonly counters: SimulatorCounters,
    private readonly policy: SimulatorRestPolicy,
  ) {}

  /** The next `count` requests fail with `status` (and Retry-After when given). */
  injectFailures(count: number, status: number, retryAfterSeconds: number | null): void {
    this.failures = { remaining: count, status, retryAfterSeconds };
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.counters.restRequests++;
    const url = new URL(req.url ?? '/', 'http://simulator');
    const requestId = randomBytes(8).toString('hex');
    let response: RestResponse;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.failures.remaining > 0) {
      this.failures.remaining--;
      this.counters.restFailuresServed++;
      const { status, retryAfterSeconds } = this.failures;
      if (retryAfterSeconds !== null) headers['retry-after'] = String(retryAfterSeconds);
      response = errorResponse(status, 'ERROR', 'injected failure', requestId);
    } else if (req.method !== 'GET') {
      response = errorResponse(405, 'ERROR', 'Method not allowed', requestId);
    } else {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const key = url.searchParams.get('apiKey') ?? bearer ?? '';
      const parsed = parseAggregatesRequest(url.pathname, url.searchParams);
      if ('status' in parsed) response = parsed;
      else if (!this.policy.acceptsKey(key)) {
        response = errorResponse(401, 'ERROR', 'Unknown API Key', requestId);
      } else {
        const symbol = parsed.symbol;
        response = aggregatesResponse(this.book, parsed, {
          nowMs: this.policy.completeBeforeMs(),
          lagMs: (minuteStartMs) => this.policy.lagMs(symbol, minuteStartMs),
          pageSize: this.policy.pageSize,
          origin: `http://${req.headers.host ?? 'localhost'}`,
          requestId,
        });
      }
    }
    res.writeHead(response.status, headers);
    res.end(JSON.stringify(response.body));
  }
}
