import { AmbiguousSymbolError, InvalidInputError } from '../../src/services/domain-errors';
import { filterMatches, SymbolLookupService } from '../../src/services/symbol-lookup.service';

/**
 * The lookup's rules over a plain in-memory table (the real SQL is covered by
 * test/integration/api-tickers.test.ts on PGlite and PostgreSQL).
 */
function lookupOver(stored: string[]) {
  const calls: string[][] = [];
  const service = new SymbolLookupService({
    findIgnoringCase: (tickers) => {
      calls.push([...tickers]);
      const folded = new Set(tickers.map((t) => t.toLowerCase()));
      return Promise.resolve(stored.filter((s) => folded.has(s.toLowerCase())).sort());
    },
  });
  return { service, calls, stored };
}

describe('SymbolLookupService', () => {
  it('matches exactly first, else a unique case-insensitive match, and keeps the case of what is stored', async () => {
    const { service } = lookupOver(['AAPL', 'BCPC', 'BCpC', 'ABRpD', 'BRK.B']);
    await expect(service.resolve('ABRpD')).resolves.toBe('ABRpD');
    await expect(service.resolve(' abrpd ')).resolves.toBe('ABRpD');
    await expect(service.resolve('aapl')).resolves.toBe('AAPL');
    await expect(service.resolve('brk.b')).resolves.toBe('BRK.B');
    await expect(service.resolve('BCPC')).resolves.toBe('BCPC');
    await expect(service.resolve('BCpC')).resolves.toBe('BCpC');
    await expect(service.resolve('nosuch')).resolves.toBe('nosuch');
  });

  it('refuses an ambiguous ticker naming every candidate', async () => {
    const { service } = lookupOver(['BCPC', 'BCpC']);
    const error = await service.resolve('bcpc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousSymbolError);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as AmbiguousSymbolError).candidates).toEqual(['BCPC', 'BCpC']);
    expect((error as AmbiguousSymbolError).field).toBe('symbol');
    expect((error as Error).message).toContain('"bcpc" is ambiguous: it matches BCPC, BCpC');
  });

  it('rejects malformed tickers before any query', async () => {
    const { service, calls } = lookupOver(['AAPL']);
    await expect(service.resolve("AAPL'--")).rejects.toThrow(/is not a valid ticker/);
    await expect(service.resolve('')).rejects.toThrow('symbol is required');
    expect(calls).toEqual([]);
  });

  it('answers a stored ticker asked exactly from memory after the first lookup', async () => {
    const { service, calls } = lookupOver(['AAPL', 'MSFT']);
    await service.resolve('AAPL');
    await service.resolve('AAPL');
    await service.resolve('MSFT');
    await service.resolve('MSFT');
    expect(calls).toEqual([['AAPL'], ['MSFT']]);
    // A lower-case ask still looks up: a new ticker in another case may have made it ambiguous.
    await service.resolve('aapl');
    expect(calls).toHaveLength(3);
  });

  it('resolves a subscription list in one query into exact and case-insensitive parts', async () => {
    const { service, calls } = lookupOver(['AAPL', 'BCpC', 'ABRpD']);
    const filter = await service.resolveFilter(['aapl', 'BCpC', 'abrpd', 'zzpq', 'NEWpA']);
    expect(calls).toHaveLength(1);
    expect([...filter!.exact].sort()).toEqual(['AAPL', 'ABRpD', 'BCpC', 'NEWpA']);
    expect([...filter!.ignoringCase]).toEqual(['zzpq']);
    expect(filterMatches(filter, 'AAPL')).toBe(true);
    expect(filterMatches(filter, 'ABRPD')).toBe(false);
    expect(filterMatches(filter, 'ZZPQ')).toBe(true);
    expect(filterMatches(filter, 'NEWPA')).toBe(false);
    expect(filterMatches(null, 'ANY')).toBe(true);
    await expect(service.resolveFilter(null)).resolves.toBeNull();
    await expect(service.resolveFilter(['AAPL', 'bcpc'])).resolves.toMatchObject({
      exact: new Set(['AAPL', 'BCpC']),
    });
  });

  it('refuses an ambiguous ticker in a subscription list', async () => {
    const { service } = lookupOver(['BCPC', 'BCpC']);
    await expect(service.resolveFilter(['bcpc'])).rejects.toThrow(
      'symbols "bcpc" is ambiguous: it matches BCPC, BCpC',
    );
  });
});
