import { InvalidInputError } from './domain-errors';

/**
 * The opaque pagination cursor of timeframe bars: where the next page starts (asc: the first
 * bucket start to include; desc: the exclusive end) plus what the query was, so a cursor
 * replayed with other arguments is rejected instead of silently skipping or repeating bars.
 */
export interface BarCursor {
  symbol: string;
  /** timeframeLabel(), e.g. '5/minute'. */
  timeframe: string;
  session: 'ALL' | 'REGULAR';
  sort: 'asc' | 'desc';
  /** Next page position, Unix ms. */
  at: number;
  /** The query's range, Unix ms: [from, to). */
  from: number;
  to: number;
}

export function encodeBarCursor(cursor: BarCursor): string {
  const { symbol, timeframe, session, sort, at, from, to } = cursor;
  return Buffer.from(JSON.stringify([1, symbol, timeframe, session, sort, at, from, to])).toString(
    'base64url',
  );
}

export function decodeBarCursor(text: string, field = 'after'): BarCursor {
  const invalid = () => new InvalidInputError(`${field} is not a cursor this API issued`, field);
  if (text.length > 500 || !/^[A-Za-z0-9_-]+$/.test(text)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidInputError(`${field} is not a cursor this API issued`, field, {
      cause: error,
    });
  }
  if (!Array.isArray(parsed) || parsed.length !== 8 || parsed[0] !== 1) throw invalid();
  const [, symbol, timeframe, session, sort, at, from, to] = parsed as unknown[];
  if (
    typeof symbol !== 'string' ||
    typeof timeframe !== 'string' ||
    (session !== 'ALL' && session !== 'REGULAR') ||
    (sort !== 'asc' && sort !== 'desc') ||
    !Number.isSafeInteger(at) ||
    !Number.isSafeInteger(from) ||
    !Number.isSafeInteger(to)
  )
    throw invalid();
  return {
    symbol,
    timeframe,
    session,
    sort,
    at: at as number,
    from: from as number,
    to: to as number,
  };
}
