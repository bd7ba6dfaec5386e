import { Router, type Request } from 'express';
import type { StoredBar } from '../domain/stored-bar';
import type { BarQueryService } from '../services/bar-query.service';
import { InvalidInputError } from '../services/domain-errors';
import type { IngestStatusService } from '../services/ingest-status.service';
import { parseLimitParam, parseSinceParam } from '../services/query-input';
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
    // `symbol` echoes the stored ticker the argument resolved to (`aapl` → `AAPL`, `ABRpD` as is).
    const result = await bars.recentBarsOf({ symbol, since, limit });
    const body: LegacyTicksResponse = {
      symbol: result.symbol,
      count: result.bars.length,
      ticks: result.bars.map(toLegacyTick),
    };
    res.json(body);
  });

  router.get('/api/stats', routeLabel('/api/stats'), (_req, res) => {
    res.json(ingestStatus.status());
  });

  return router;
}
