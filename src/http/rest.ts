import { Router, type Request, type Response } from 'express';
import type { StoredBar } from '../domain/stored-bar';
import type { BarQueryService, RecentBarsView } from '../services/bar-query.service';
import { InvalidInputError } from '../services/domain-errors';
import type { IngestStatusService } from '../services/ingest-status.service';
import { parseLimitParam, parseSinceParam } from '../services/query-input';
import type { OfferResponse } from './fast-path/fast-path';
import { routeLabel } from './metrics';

/** One tick of the legacy `/api/ticks/recent` answer (the old service's exact field set). */
export interface LegacyTick {
  symbol: string;
  /** Minute start, Unix seconds. */
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface LegacyTicksResponse {
  symbol: string;
  count: number;
  ticks: LegacyTick[];
}

export function toLegacyTick(bar: StoredBar): LegacyTick {
  return {
    symbol: bar.symbol,
    timestamp: Math.floor(bar.timestamp.getTime() / 1000),
    open: Number(bar.open),
    high: Number(bar.high),
    low: Number(bar.low),
    close: Number(bar.close),
    volume: bar.volume,
  };
}

/** The legacy body, serialized once per commit of the symbol (see BarQueryService.recentView). */
export const LEGACY_JSON: RecentBarsView<string> = {
  name: 'legacy-json',
  render: (newestFirst, symbol) => {
    const body: LegacyTicksResponse = {
      symbol,
      count: newestFirst.length,
      ticks: newestFirst.map(toLegacyTick),
    };
    return JSON.stringify(body);
  },
  bytes: (json) => json.length,
};

/** If-None-Match holds `tag` (or `*`); weak comparison, as RFC 9110 asks for GET. */
export function etagMatches(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const t = candidate.trim();
    return t === '*' || t === `"${tag}"` || t === `W/"${tag}"`;
  });
}

/** A query parameter given at most once, as text (`?a=1&a=2` is ambiguous → 400). */
function singleParam(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new InvalidInputError(`${name} must be given once, as plain text`, name);
  return value;
}

export interface RestOptions {
  bars: BarQueryService;
  ingestStatus: IngestStatusService;
  /** The HTTP fast path's offer for this exchange (answers of exact, known tickers only). */
  offerResponse?: (req: Request, res: Response) => OfferResponse;
  /** True when the ticker is stored exactly as written (it resolves to itself). */
  isKnownTicker?: (ticker: string) => boolean;
}

/**
 * The legacy REST surface, over the same BarQueryService as GraphQL. Handlers only translate:
 * input errors travel to the JSON error handler (src/http/error-handler.ts) as
 * InvalidInputError → 400 `{"error": …}`.
 */
export function createRestRouter(options: RestOptions): Router {
  const router = Router();
  const { bars, ingestStatus } = options;

  router.get('/api/ticks/recent', routeLabel('/api/ticks/recent'), async (req, res) => {
    const symbol = singleParam(req, 'symbol');
    if (symbol === undefined || symbol.trim() === '')
      throw new InvalidInputError('symbol is required', 'symbol');
    const sinceText = singleParam(req, 'since');
    const since =
      sinceText === undefined || sinceText.trim() === '' ? null : parseSinceParam(sinceText);
    const limit = parseLimitParam(singleParam(req, 'limit'));
    const query = { symbol, since, limit };
    // The tag names the symbol's last commit: unchanged, the poller already has this answer.
    const current = await bars.currentTag(query);
    if (current !== null && etagMatches(req.headers['if-none-match'], current)) {
      res.status(304).set('ETag', `"${current}"`).end();
      return;
    }
    // The body's `symbol` echoes the stored ticker the argument resolved to (`aapl` → `AAPL`).
    const { value, tag } = await bars.recentView(query, LEGACY_JSON);
    if (tag !== null) {
      res.set('ETag', `"${tag}"`);
      // `aapl` → `AAPL` is resolved per request (a new `AaPL` would change it): not offered.
      if (options.isKnownTicker?.(symbol) === true)
        options.offerResponse?.(
          req,
          res,
        )({
          scope: symbol,
          tag,
          body: value,
          remake: async () => {
            const again = await bars.recentView(query, LEGACY_JSON);
            return again.tag === null ? null : { tag: again.tag, body: again.value };
          },
        });
    }
    res.type('application/json').send(value);
  });

  router.get('/api/stats', routeLabel('/api/stats'), (_req, res) => {
    res.json(ingestStatus.status());
  });

  return router;
}
