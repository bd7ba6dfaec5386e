import type { MinuteBook, SimMinuteBar } from './minute-book';

/**
 * The simulator's `GET /v2/aggs/ticker/{sym}/range/1/minute/{from}/{to}` — Massive's response
 * shape and nothing else (the official client's `GetStocksAggregates200Response`: `{ticker,
 * queryCount, resultsCount, adjusted, status, request_id, results:[{t,o,h,l,c,v,vw,n,otc?}],
 * next_url}`; `results` omitted when empty, `adjusted` echoed — the simulator has no splits, so
 * both answers hold the same values), paginated with an opaque `cursor` in `next_url` that,
 * like Massive's, does not carry the API key.
 */

const PATH = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/(\d+)\/([a-z]+)\/([^/]+)\/([^/]+)\/?$/;
const DAY_MS = 86_400_000;
export const DEFAULT_REST_LIMIT = 5_000;
export const MAX_REST_LIMIT = 50_000;

export interface AggregatesQuery {
  symbol: string;
  fromMs: number;
  toMs: number;
  sort: 'asc' | 'desc';
  limit: number;
  adjusted: boolean;
}

export interface RestResponse {
  status: number;
  body: Record<string, unknown>;
}

interface Cursor {
  f: number;
  t: number;
  s: 'asc' | 'desc';
  l: number;
  a: boolean;
}

/** `1700000000000` (Unix ms) or `2024-01-02` (a whole UTC day: its start for from, its end for to). */
function parseBound(raw: string, end: boolean): number | null {
  if (/^\d+$/.test(raw)) return Number(raw);
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const start = Date.parse(`${raw}T00:00:00Z`);
    if (Number.isNaN(start)) return null;
    return end ? start + DAY_MS - 1 : start;
  }
  return null;
}

/** Parses path + query into a query, or an error response (400 for anything malformed). */
export function parseAggregatesRequest(
  pathname: string,
  search: URLSearchParams,
): AggregatesQuery | RestResponse {
  const match = PATH.exec(pathname);
  if (!match) return errorResponse(404, 'NOT_FOUND', 'Not found');
  const [, rawSymbol, multiplier, timespan, rawFrom, rawTo] = match;
  if (multiplier !== '1' || timespan !== 'minute') {
    return errorResponse(400, 'ERROR', 'The simulator serves only 1-minute aggregates');
  }
  const cursorText = search.get('cursor');
  if (cursorText !== null) {
    const cursor = decodeCursor(cursorText);
    if (cursor === null) return errorResponse(400, 'ERROR', 'Invalid cursor');
    return {
      symbol: decodeURIComponent(rawSymbol),
      fromMs: cursor.f,
      toMs: cursor.t,
      sort: cursor.s,
      limit: cursor.l,
      adjusted: cursor.a,
    };
  }
  const fromMs = parseBound(rawFrom, false);
  const toMs = parseBound(rawTo, true);
  if (fromMs === null || toMs === null)
    return errorResponse(400, 'ERROR', 'from/to must be Unix ms or YYYY-MM-DD');
  const sort = search.get('sort') ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc')
    return errorResponse(400, 'ERROR', 'sort must be asc or desc');
  const adjustedText = search.get('adjusted') ?? 'true';
  if (adjustedText !== 'true' && adjustedText !== 'false')
    return errorResponse(400, 'ERROR', 'adjusted must be true or false');
  const limitText = search.get('limit');
  const limit = limitText === null ? DEFAULT_REST_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REST_LIMIT) {
    return errorResponse(400, 'ERROR', `limit must be 1..${MAX_REST_LIMIT}`);
  }
  const adjusted = adjustedText === 'true';
  return { symbol: decodeURIComponent(rawSymbol), fromMs, toMs, sort, limit, adjusted };
}

export interface AggregatesPageOptions {
  /** Feed time up to which seconds were generated. */
  nowMs: number;
  /** When REST publishes a minute of `query.symbol`, ms after it ends (default: at once). */
  lagMs?: (minuteStartMs: number) => number;
  /** Caps the page below `limit` (to exercise pagination). */
  pageSize: number;
  origin: string;
  requestId: string;
}

/** One page of the bars published by `options.nowMs`. */
export function aggregatesResponse(
  book: MinuteBook,
  query: AggregatesQuery,
  options: AggregatesPageOptions,
): RestResponse {
  const pageSize = Math.max(1, Math.min(query.limit, options.pageSize));
  let bars: SimMinuteBar[] =
    query.fromMs <= query.toMs
      ? book.bars(query.symbol, query.fromMs, query.toMs, options.nowMs, options.lagMs)
      : [];
  if (query.sort === 'desc') bars = bars.reverse();
  const page = bars.slice(0, pageSize);
  const body: Record<string, unknown> = {
    ticker: query.symbol,
    queryCount: page.length,
    resultsCount: page.length,
    adjusted: query.adjusted,
    status: 'OK',
    request_id: options.requestId,
  };
  if (page.length > 0) body.results = page;
  if (bars.length > pageSize) {
    const next = bars[pageSize].t;
    const cursor: Cursor =
      query.sort === 'asc'
        ? { f: next, t: query.toMs, s: 'asc', l: query.limit, a: query.adjusted }
        : { f: query.fromMs, t: next, s: 'desc', l: query.limit, a: query.adjusted };
    const symbol = encodeURIComponent(query.symbol);
    body.next_url = `${options.origin}/v2/aggs/ticker/${symbol}/range/1/minute/${cursor.f}/${cursor.t}?cursor=${encodeCursor(cursor)}`;
  }
  return { status: 200, body };
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  requestId = 'sim',
): RestResponse {
  return { status, body: { status: code, request_id: requestId, error: message } };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor | null {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Cursor>;
    const { f, t, s, l, a } = parsed;
    if (
      !Number.isInteger(f) ||
      !Number.isInteger(t) ||
      (s !== 'asc' && s !== 'desc') ||
      !Number.isInteger(l) ||
      typeof a !== 'boolean'
    )
      return null;
    if ((l as number) < 1 || (l as number) > MAX_REST_LIMIT) return null;
    return { f: f as number, t: t as number, s, l: l as number, a };
  } catch {
    return null;
  }
}
