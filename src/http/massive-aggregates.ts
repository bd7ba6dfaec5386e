import { randomBytes } from 'node:crypto';
import { etagMatches } from './rest';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { AggregateBar } from '../domain/aggregate-bar';
import { DomainError, InvalidInputError } from '../services/domain-errors';
import {
  MAX_AGGREGATES_LIMIT,
  DEFAULT_AGGREGATES_LIMIT,
  parseAdjusted,
  parseAggregatesBound,
  parseAggregatesLimit,
  parseSort,
  parseTimespan,
} from '../services/aggregates-input';
import type { TimeframeBarsPage, TimeframeBarsService } from '../services/timeframe-bars.service';
import type { Logger } from '../logger';
import { bearerMatches } from './auth';
import type { OfferResponse } from './fast-path/fast-path';
import { routeLabel } from './metrics';

/** One result as Massive shapes it; `n` (trades) is absent: the stream carries no trade count. */
export interface MassiveAggregate {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw?: number;
}

export const AGGREGATES_ROUTE = '/v2/aggs/ticker/:ticker/range/:multiplier/:timespan/:from/:to';

export interface MassiveAggregatesOptions {
  timeframeBars: TimeframeBarsService;
  /** When set, `apiKey=` or `Authorization: Bearer` must carry it (as Massive requires a key). */
  apiToken: string | null;
  logger: Logger;
  /**
   * The commit tag of the stored ticker a ticker argument means (null: no cache, or being
   * written): answers carry it as a weak ETag, and a matching If-None-Match is a 304.
   */
  commitTag?: (ticker: string) => Promise<string | null>;
  /** The HTTP fast path's offer for this exchange (answers of exact, known tickers only). */
  offerResponse?: (req: Request, res: Response) => OfferResponse;
  /** True when the ticker is stored exactly as written (it resolves to itself). */
  isKnownTicker?: (ticker: string) => boolean;
}

function requestId(): string {
  return randomBytes(16).toString('hex');
}

function massiveError(res: Response, status: number, id: string, message: string): void {
  res.status(status).json({ status: 'ERROR', request_id: id, error: message });
}

function singleQuery(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new InvalidInputError(`${name} must be given once, as plain text`, name);
  return value;
}

/**
 * Massive's stocks aggregates endpoint over TickStock's stored bars, so a Massive/Polygon client
 * reads TickStock by changing its base URL: the same path, parameters, response shape
 * (`results` absent when empty) and error shape (`{status:'ERROR', request_id, error}`), and
 * `next_url` carrying an opaque cursor but never the key (clients append `&apiKey=`). `limit`
 * counts bars; `adjusted` is echoed — the stream is unadjusted and TickStock stores no splits.
 */
export function createMassiveAggregatesRouter(options: MassiveAggregatesOptions): Router {
  const router = Router();
  const { timeframeBars, apiToken, logger } = options;

  const requireKey: RequestHandler = (req, res, next) => {
    if (apiToken === null) return next();
    const key = req.query.apiKey;
    const header = req.headers.authorization;
    if (typeof key === 'string' && bearerMatches(`Bearer ${key}`, apiToken)) return next();
    if (bearerMatches(header, apiToken)) return next();
    const missing = key === undefined && header === undefined;
    massiveError(res, 401, requestId(), missing ? 'API Key was not provided' : 'Unknown API Key');
  };

  router.get(AGGREGATES_ROUTE, routeLabel('/v2/aggs'), requireKey, async (req, res) => {
    const id = requestId();
    try {
      const params = req.params as Record<string, string>;
      const ticker = params.ticker;
      const timeframe = parseTimespan(params.multiplier, params.timespan);
      const from = parseAggregatesBound(params.from, 'from');
      const to = parseAggregatesBound(params.to, 'to');
      const sort = parseSort(singleQuery(req, 'sort'));
      const adjusted = parseAdjusted(singleQuery(req, 'adjusted'));
      const limit = parseAggregatesLimit(singleQuery(req, 'limit'));
      // Taken before the read: an answer is tagged only with a commit it is at least as new as.
      const tag = (await options.commitTag?.(ticker)) ?? null;
      if (tag !== null && etagMatches(req.headers['if-none-match'], tag)) {
        res.status(304).set('ETag', `W/"${tag}"`).end();
        return;
      }
      const query = { symbol: ticker, timeframe, from, to, sort, limit };
      const after = singleQuery(req, 'cursor');
      const read = () =>
        timeframeBars.bars(
          { ...query, after },
          { defaultLimit: DEFAULT_AGGREGATES_LIMIT, maxLimit: MAX_AGGREGATES_LIMIT },
        );
      const base = `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      const answer = (page: TimeframeBarsPage, requestId: string) =>
        aggregatesBody(ticker, adjusted, page, requestId, req.originalUrl, base);
      const body = answer(await read(), id);
      if (tag !== null && (await options.commitTag?.(ticker)) === tag) {
        res.set('ETag', `W/"${tag}"`);
        if (options.isKnownTicker?.(ticker) === true)
          options.offerResponse?.(
            req,
            res,
          )({
            scope: ticker,
            tag,
            body: JSON.stringify(body),
            requestId: id,
            remake: async () => {
              const before = (await options.commitTag?.(ticker)) ?? null;
              const page = await read();
              if (before === null || (await options.commitTag?.(ticker)) !== before) return null;
              const fresh = requestId();
              return { tag: before, body: JSON.stringify(answer(page, fresh)), requestId: fresh };
            },
          });
      }
      res.json(body);
    } catch (error) {
      if (error instanceof DomainError) massiveError(res, error.httpStatus, id, error.message);
      else {
        logger.error({ err: error, path: req.path }, 'aggregates request failed');
        massiveError(res, 500, id, 'internal error');
      }
    }
  });

  // Anything else under /v2 is not served: answer as Massive does, not with an HTML page.
  router.use('/v2', (req, res) => {
    massiveError(
      res,
      404,
      requestId(),
      `no such endpoint: ${req.method} ${req.path.slice(0, 200)}`,
    );
  });

  return router;
}

/** The Massive-shaped answer of a page (`results` absent when empty, `next_url` without key). */
function aggregatesBody(
  ticker: string,
  adjusted: boolean,
  page: TimeframeBarsPage,
  id: string,
  originalUrl: string,
  base: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ticker,
    queryCount: page.bars.reduce((sum, bar) => sum + bar.minutes, 0),
    resultsCount: page.bars.length,
    adjusted,
    status: 'OK',
    request_id: id,
  };
  if (page.bars.length > 0) body.results = page.bars.map(toMassiveAggregate);
  if (page.nextCursor !== null) {
    const next = new URL(originalUrl, base);
    next.searchParams.delete('apiKey');
    next.searchParams.set('cursor', page.nextCursor);
    body.next_url = next.toString();
  }
  return body;
}

function toMassiveAggregate(bar: AggregateBar): MassiveAggregate {
  const result: MassiveAggregate = {
    t: bar.timestamp.getTime(),
    o: Number(bar.open),
    h: Number(bar.high),
    l: Number(bar.low),
    c: Number(bar.close),
    v: bar.volume,
  };
  if (bar.vwap !== null) result.vw = Number(bar.vwap);
  return result;
}
