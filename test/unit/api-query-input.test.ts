import { InvalidInputError } from '../../src/services/domain-errors';
import {
  checkLimit,
  checkSearch,
  checkSince,
  checkTicker,
  checkTickerList,
  isExactTicker,
  parseLimitParam,
  parseSinceParam,
} from '../../src/services/query-input';

function rejection(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('parseSinceParam', () => {
  it.each([
    ['1735732800', '2025-01-01T12:00:00.000Z'],
    ['1735732800.5', '2025-01-01T12:00:00.500Z'],
    ['0', '1970-01-01T00:00:00.000Z'],
    ['2025-01-01T12:00:00Z', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01T12:00:00.123Z', '2025-01-01T12:00:00.123Z'],
    ['2025-01-01T14:00:00+02:00', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01T14:00:00+0200', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01T14:00:00 02:00', '2025-01-01T12:00:00.000Z'], // '+' decoded as ' ' from a URL
    ['2025-01-01T07:00:00-05:00', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01T12:00:00', '2025-01-01T12:00:00.000Z'], // no offset → UTC, whatever TZ the server has
    ['2025-01-01T12:00', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01 12:00:00Z', '2025-01-01T12:00:00.000Z'],
    ['2025-01-01', '2025-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('reads %s', (raw, iso) => {
    expect(parseSinceParam(raw).toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '',
    '-5',
    '1e9',
    '0x10',
    '2025-13-01',
    '2025-02-30',
    '2023-02-29',
    '2025-01-01T24:00:00Z',
    '2025-01-01T12:60Z',
    '2025-1-1',
    "1' OR '1'='1",
  ])('rejects %j saying what is wrong', (raw) => {
    const error = rejection(() => parseSinceParam(raw));
    expect(error.field).toBe('since');
    expect(error.message).toMatch(/neither Unix seconds nor an ISO-8601 time/);
  });

  it('does not echo huge input back', () => {
    expect(rejection(() => parseSinceParam('x'.repeat(10_000))).message.length).toBeLessThan(200);
  });
});

describe('parseLimitParam / checkLimit', () => {
  it('defaults to 100 and accepts 1..1000', () => {
    expect(parseLimitParam(undefined)).toBe(100);
    expect(parseLimitParam('')).toBe(100);
    expect(parseLimitParam('1')).toBe(1);
    expect(parseLimitParam(' 1000 ')).toBe(1000);
  });

  it.each(['0', '1001', '-1', '2.5', '1e3', 'ten', '99999999999'])('rejects %j', (raw) => {
    expect(rejection(() => parseLimitParam(raw)).message).toMatch(
      /limit must be an integer between 1 and 1000/,
    );
  });

  it.each([0, 1001, 1.5, NaN, Infinity])('checkLimit rejects %p', (limit) => {
    expect(rejection(() => checkLimit(limit)).field).toBe('limit');
  });
});

describe('checkTicker / checkTickerList', () => {
  it('trims valid tickers and never changes their case (the lookup decides what they mean)', () => {
    expect(checkTicker(' aapl ')).toBe('aapl');
    expect(checkTicker('BRK.B')).toBe('BRK.B');
    expect(checkTicker('ABRpD')).toBe('ABRpD');
    expect(checkTicker('bcpc')).toBe('bcpc');
    expect(checkTickerList(['msft', 'MSFT', 'msft', 'BCpC'])).toEqual(['msft', 'MSFT', 'BCpC']);
    expect(checkTickerList(null)).toBeNull();
  });

  it('tells a ticker that can be stored as written from a legacy lower-case one', () => {
    expect(isExactTicker('BCpC')).toBe(true);
    expect(isExactTicker('BRK.B')).toBe(true);
    expect(isExactTicker('aapl')).toBe(false);
  });

  it.each(['', '   ', '1ABC', 'AA PL', "AAPL'--", 'A'.repeat(21), 'ÄPPL'])('rejects %j', (raw) => {
    expect(rejection(() => checkTicker(raw)).field).toBe('symbol');
  });

  it('rejects a non-string', () => {
    expect(rejection(() => checkTicker(undefined)).message).toBe('symbol is required');
  });

  it('caps the subscription list', () => {
    expect(
      rejection(() => checkTickerList(Array.from({ length: 1001 }, () => 'AAPL'))).message,
    ).toMatch(/at most 1000/);
  });
});

describe('checkSince / checkSearch', () => {
  const now = Date.UTC(2025, 0, 1, 12);

  it('accepts the past and small clock skew, rejects the future', () => {
    expect(checkSince(null, now, 60_000)).toBeNull();
    expect(checkSince(new Date(now - 1), now, 60_000)!.getTime()).toBe(now - 1);
    expect(checkSince(new Date(now + 60_000), now, 60_000)!.getTime()).toBe(now + 60_000);
    expect(rejection(() => checkSince(new Date(now + 60_001), now, 60_000)).message).toBe(
      'since 2025-01-01T12:01:00.001Z is in the future',
    );
  });

  it('treats blank search as none and bounds its length', () => {
    expect(checkSearch('  ')).toBeNull();
    expect(checkSearch(' ap ')).toBe('ap');
    expect(rejection(() => checkSearch('x'.repeat(101))).field).toBe('search');
  });
});
