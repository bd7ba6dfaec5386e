import { matchTicker } from '../../src/web/ticker-match';

describe('dashboard: the ticker a typed text means (the API rule, on the known list)', () => {
  const known = ['AAPL', 'ABRpD', 'BCPC', 'BCpC', 'BRK.B'];

  it.each([
    ['AAPL', 'AAPL'],
    [' aapl ', 'AAPL'],
    ['abrpd', 'ABRpD'],
    ['ABRpD', 'ABRpD'],
    ['BCpC', 'BCpC'],
    ['BCPC', 'BCPC'],
    ['brk.b', 'BRK.B'],
  ])('%j → %s', (typed, expected) => {
    expect(matchTicker(typed, known)).toBe(expected);
  });

  it.each(['bcpc', 'Bcpc', 'MSFT', ''])('%j → null (ambiguous or unknown)', (typed) => {
    expect(matchTicker(typed, known)).toBeNull();
  });
});
