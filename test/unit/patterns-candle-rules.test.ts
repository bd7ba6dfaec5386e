import type { PatternMatch } from '../../src/patterns/pattern-catalog';
import {
  candleShape,
  priorTrend,
  type Candle,
  type CandleRule,
} from '../../src/patterns/rules/candle-geometry';
import {
  detectDoji,
  detectHammer,
  detectHangingMan,
  detectShootingStar,
  SINGLE_CANDLE_RULES,
} from '../../src/patterns/rules/single-candle.rules';
import {
  detectEveningStar,
  detectMorningStar,
  THREE_CANDLE_RULES,
} from '../../src/patterns/rules/three-candle.rules';
import {
  detectEngulfingBear,
  detectEngulfingBull,
  detectHarami,
  TWO_CANDLE_RULES,
} from '../../src/patterns/rules/two-candle.rules';
import {
  c,
  DECLINE,
  HAMMER_SHAPE,
  RISE,
  SHOOTING_SHAPE,
  SIDEWAYS,
} from '../helpers/patterns-factories';

const ALL_RULES: CandleRule[] = [
  ...SINGLE_CANDLE_RULES,
  ...TWO_CANDLE_RULES,
  ...THREE_CANDLE_RULES,
];

function run(
  rule: CandleRule,
  prior: Candle[],
  bar: Candle,
  relativeVolume = 1.5,
): PatternMatch | null {
  return rule({ bar, prior, relativeVolume });
}

function expectWellFormed(match: PatternMatch): void {
  expect(match.confidence).toBeGreaterThanOrEqual(0);
  expect(match.confidence).toBeLessThanOrEqual(1);
  expect(Number.isFinite(match.priceChange)).toBe(true);
  for (const value of Object.values(match.indicators)) expect(Number.isFinite(value)).toBe(true);
  expect(match.indicators.relativeVolume).toBe(1.5);
}

interface Case {
  label: string;
  prior: Candle[];
  bar: Candle;
}

/** Table runner: every `fires` case matches with the given direction, every `misses` case does not. */
function table(
  name: string,
  rule: CandleRule,
  direction: PatternMatch['direction'],
  fires: Case[],
  misses: Case[],
): void {
  describe(name, () => {
    it.each(fires)('fires: $label', ({ prior, bar }) => {
      const match = run(rule, prior, bar);
      expect(match).not.toBeNull();
      expect(match!.pattern).toBe(name);
      expect(match!.direction).toBe(direction);
      expectWellFormed(match!);
    });
    it.each(misses)('does not fire: $label', ({ prior, bar }) => {
      expect(run(rule, prior, bar)).toBeNull();
    });
  });
}

describe('candle geometry', () => {
  it('measures body and shadows, and gives 0 ratios (not NaN) for a zero-range bar', () => {
    expect(candleShape(HAMMER_SHAPE)).toMatchObject({
      range: 10,
      body: 1.5,
      upperShadow: 0.5,
      lowerShadow: 8,
      color: 1,
    });
    const flat = candleShape(c([100, 100, 100, 100]));
    expect([flat.bodyRatio, flat.upperRatio, flat.lowerRatio]).toEqual([0, 0, 0]);
  });

  it.each([
    ['decline', DECLINE, 'down'],
    ['rise', RISE, 'up'],
    ['sideways', SIDEWAYS, 'none'],
    ['too few bars', DECLINE.slice(1), 'none'],
    [
      'net down but only one bearish bar',
      [c([100, 101, 90, 91]), c([91, 93, 90, 92]), c([92, 94, 91, 93])],
      'none',
    ],
    ['only the last 3 bars count', [...RISE, ...DECLINE], 'down'],
  ] as const)('prior trend: %s', (_label, prior, trend) => {
    expect(priorTrend(prior)).toBe(trend);
  });
});

table(
  'Doji',
  detectDoji,
  'neutral',
  [
    { label: 'body 5% of range', prior: [], bar: c([95, 100, 90, 95.5]) },
    { label: 'open = close (cross)', prior: RISE, bar: c([95, 100, 90, 95]) },
    { label: 'gravestone (open = close = low)', prior: DECLINE, bar: c([90, 100, 90, 90]) },
  ],
  [
    { label: 'body 11% of range', prior: [], bar: c([95, 100, 90, 96.1]) },
    { label: 'a full-bodied candle', prior: [], bar: c([90, 100, 90, 100]) },
    { label: 'zero-range bar (o=h=l=c)', prior: RISE, bar: c([100, 100, 100, 100]) },
    { label: 'zero-volume bar', prior: [], bar: c([95, 100, 90, 95], 0) },
  ],
);

table(
  'Hammer',
  detectHammer,
  'bullish',
  [
    { label: 'long lower shadow after a decline', prior: DECLINE, bar: HAMMER_SHAPE },
    { label: 'no upper shadow at all', prior: DECLINE, bar: c([93, 94.5, 85, 94.5]) },
    { label: 'dragonfly (body 0) after a decline', prior: DECLINE, bar: c([95, 95, 85, 95]) },
  ],
  [
    { label: 'same shape after a rise (that is a Hanging_Man)', prior: RISE, bar: HAMMER_SHAPE },
    { label: 'same shape without a trend', prior: SIDEWAYS, bar: HAMMER_SHAPE },
    { label: 'same shape with too little history', prior: DECLINE.slice(1), bar: HAMMER_SHAPE },
    { label: 'upper shadow 15% of range', prior: DECLINE, bar: c([92, 95, 85, 93.5]) },
    { label: 'body 35% of range', prior: DECLINE, bar: c([91.5, 95, 85, 95]) },
    { label: 'inverted shape', prior: DECLINE, bar: c([86.5, 95, 85, 85.5]) },
    { label: 'zero-range bar', prior: DECLINE, bar: c([90, 90, 90, 90]) },
  ],
);

table(
  'Hanging_Man',
  detectHangingMan,
  'bearish',
  [
    { label: 'hammer shape after a rise', prior: RISE, bar: c([113, 115, 105, 114.5]) },
    {
      label: 'bearish-bodied hammer shape after a rise',
      prior: RISE,
      bar: c([114.5, 115, 105, 113]),
    },
  ],
  [
    { label: 'hammer shape after a decline', prior: DECLINE, bar: c([113, 115, 105, 114.5]) },
    { label: 'hammer shape, sideways', prior: SIDEWAYS, bar: c([113, 115, 105, 114.5]) },
    { label: 'lower shadow only 50% of range', prior: RISE, bar: c([110, 115, 105, 114.5]) },
    { label: 'zero-range bar after a rise', prior: RISE, bar: c([110, 110, 110, 110]) },
  ],
);

table(
  'Shooting_Star',
  detectShootingStar,
  'bearish',
  [
    { label: 'long upper shadow after a rise', prior: RISE, bar: SHOOTING_SHAPE },
    {
      label: 'bullish body, long upper shadow, after a rise',
      prior: RISE,
      bar: c([105.5, 115, 105, 106.5]),
    },
  ],
  [
    {
      label: 'same shape after a decline (inverted hammer, not listed)',
      prior: DECLINE,
      bar: SHOOTING_SHAPE,
    },
    { label: 'lower shadow 15% of range', prior: RISE, bar: c([107.5, 115, 105, 106.5]) },
    { label: 'hammer shape after a rise', prior: RISE, bar: c([113, 115, 105, 114.5]) },
    { label: 'zero-volume bar', prior: RISE, bar: c([106.5, 115, 105, 105.5], 0) },
  ],
);

const BEARISH = c([102, 103, 99, 100]);
const BULLISH = c([100, 103, 99, 102]);

table(
  'Engulfing_Bull',
  detectEngulfingBull,
  'bullish',
  [
    {
      label: 'bullish body covers the bearish body',
      prior: [BEARISH],
      bar: c([99.5, 104, 99, 103]),
    },
    {
      label: 'same open as prior close, larger close',
      prior: [BEARISH],
      bar: c([100, 103, 99, 102.5]),
    },
  ],
  [
    { label: 'does not reach the prior open', prior: [BEARISH], bar: c([99.5, 102, 99, 101.5]) },
    { label: 'equal bodies', prior: [BEARISH], bar: c([100, 103, 99, 102]) },
    { label: 'prior candle bullish', prior: [BULLISH], bar: c([99.5, 104, 99, 103]) },
    { label: 'engulfing candle bearish', prior: [BEARISH], bar: c([103, 104, 99, 99.5]) },
    { label: 'no prior bar', prior: [], bar: c([99.5, 104, 99, 103]) },
    {
      label: 'prior bar zero-range',
      prior: [c([100, 100, 100, 100])],
      bar: c([99.5, 104, 99, 103]),
    },
  ],
);

table(
  'Engulfing_Bear',
  detectEngulfingBear,
  'bearish',
  [
    {
      label: 'bearish body covers the bullish body',
      prior: [BULLISH],
      bar: c([102.5, 103, 98, 99]),
    },
  ],
  [
    { label: 'does not reach the prior open', prior: [BULLISH], bar: c([102.5, 103, 98, 100.5]) },
    { label: 'prior candle bearish', prior: [BEARISH], bar: c([102.5, 103, 98, 99]) },
    { label: 'zero-range current bar', prior: [BULLISH], bar: c([101, 101, 101, 101]) },
  ],
);

const LONG_BEAR = c([110, 111, 99, 100]);
const LONG_BULL = c([100, 111, 99, 110]);

table(
  'Harami',
  detectHarami,
  'reversal',
  [
    {
      label: 'small bullish body inside a long bearish one',
      prior: [LONG_BEAR],
      bar: c([103, 106, 102, 105]),
    },
    {
      label: 'small bearish body inside a long bullish one',
      prior: [LONG_BULL],
      bar: c([106, 107, 102, 104]),
    },
    { label: 'harami cross (doji inside)', prior: [LONG_BEAR], bar: c([104, 106, 102, 104]) },
  ],
  [
    {
      label: 'inner body 60% of the mother body',
      prior: [LONG_BEAR],
      bar: c([102, 109, 101, 108]),
    },
    { label: 'inner body sticks out above', prior: [LONG_BEAR], bar: c([109, 112, 108, 111]) },
    {
      label: 'mother body short (doji-like)',
      prior: [c([101, 110, 95, 100])],
      bar: c([100.2, 101, 100, 100.6]),
    },
    { label: 'zero-range inner bar', prior: [LONG_BEAR], bar: c([104, 104, 104, 104]) },
    { label: 'no prior bar', prior: [], bar: c([103, 106, 102, 105]) },
  ],
);

table(
  'Morning_Star',
  detectMorningStar,
  'bullish',
  [
    {
      label: 'long bear, small star below, bull past the midpoint',
      prior: [LONG_BEAR, c([99, 100, 97, 98.5])],
      bar: c([99, 108, 98.5, 107]),
    },
    { label: 'doji star', prior: [LONG_BEAR, c([99, 100, 98, 99])], bar: c([99, 111, 98.5, 110]) },
  ],
  [
    {
      label: 'third candle closes below the midpoint',
      prior: [LONG_BEAR, c([99, 100, 97, 98.5])],
      bar: c([99, 105, 98.5, 104]),
    },
    {
      label: 'star body too large',
      prior: [LONG_BEAR, c([99, 100, 94, 95])],
      bar: c([95, 108, 94.5, 107]),
    },
    {
      label: 'star above the first close',
      prior: [LONG_BEAR, c([100.5, 102, 100, 101])],
      bar: c([101, 108, 100.5, 107]),
    },
    {
      label: 'first candle bullish',
      prior: [LONG_BULL, c([99, 100, 97, 98.5])],
      bar: c([99, 108, 98.5, 107]),
    },
    {
      label: 'third candle bearish',
      prior: [LONG_BEAR, c([99, 100, 97, 98.5])],
      bar: c([107, 108, 98, 106]),
    },
    { label: 'only two bars', prior: [c([99, 100, 97, 98.5])], bar: c([99, 108, 98.5, 107]) },
    {
      label: 'zero-range third bar',
      prior: [LONG_BEAR, c([99, 100, 97, 98.5])],
      bar: c([107, 107, 107, 107]),
    },
  ],
);

table(
  'Evening_Star',
  detectEveningStar,
  'bearish',
  [
    {
      label: 'long bull, small star above, bear past the midpoint',
      prior: [LONG_BULL, c([111, 113, 110, 111.5])],
      bar: c([111, 111.5, 102, 103]),
    },
  ],
  [
    {
      label: 'third candle closes above the midpoint',
      prior: [LONG_BULL, c([111, 113, 110, 111.5])],
      bar: c([111, 111.5, 105, 106]),
    },
    {
      label: 'star below the first close',
      prior: [LONG_BULL, c([109, 110, 108, 109.5])],
      bar: c([109, 111.5, 102, 103]),
    },
    {
      label: 'first candle bearish',
      prior: [LONG_BEAR, c([111, 113, 110, 111.5])],
      bar: c([111, 111.5, 102, 103]),
    },
  ],
);

describe('confidence follows how strongly a rule holds', () => {
  it('Doji: a perfect cross beats a 9% body', () => {
    const cross = run(detectDoji, [], c([95, 100, 90, 95]))!.confidence;
    const wide = run(detectDoji, [], c([95, 100, 90, 95.9]))!.confidence;
    expect(cross).toBe(1);
    expect(wide).toBeGreaterThanOrEqual(0.5);
    expect(wide).toBeLessThan(cross);
  });

  it('Engulfing: a 3× body is full confidence, a barely larger one about 0.5', () => {
    expect(run(detectEngulfingBull, [BEARISH], c([99, 106, 98.5, 105]))!.confidence).toBe(1);
    expect(
      run(detectEngulfingBull, [BEARISH], c([100, 102.1, 99, 102.01]))!.confidence,
    ).toBeCloseTo(0.5, 2);
  });

  it('Morning_Star: penetration to the first open is full confidence', () => {
    const full = run(
      detectMorningStar,
      [LONG_BEAR, c([99, 100, 97, 98.5])],
      c([99, 111, 98.5, 110]),
    )!;
    expect(full.indicators.penetration).toBe(1);
    expect(full.confidence).toBe(1);
  });
});

describe('degenerate bars never fire and never produce NaN', () => {
  const contexts: Array<[string, Candle[]]> = [
    ['no history', []],
    ['decline', DECLINE],
    ['rise', RISE],
    ['long bear + star', [LONG_BEAR, c([99, 100, 97, 98.5])]],
    ['long bull + star', [LONG_BULL, c([111, 113, 110, 111.5])]],
    ['all zero-range history', [c([5, 5, 5, 5]), c([5, 5, 5, 5]), c([5, 5, 5, 5])]],
  ];
  it.each(contexts)('zero-range and zero-volume bars after %s', (_label, prior) => {
    for (const bar of [
      c([100, 100, 100, 100]),
      c([5, 5, 5, 5], 0),
      c([95, 100, 90, 95], 0),
      c([99, 108, 98.5, 107], 0),
    ]) {
      for (const rule of ALL_RULES) expect(run(rule, prior, bar)).toBeNull();
    }
  });

  it('after zero-range history, a real bar fires only well-formed matches', () => {
    const flat = [c([5, 5, 5, 5], 0), c([5, 5, 5, 5], 0), c([5, 5, 5, 5], 0)];
    for (const bar of [c([5, 6, 4, 5]), c([5, 5.1, 4, 5.05]), c([4, 6, 4, 6])]) {
      for (const rule of ALL_RULES) {
        const match = run(rule, flat, bar);
        if (match) expectWellFormed(match);
      }
    }
    expect(run(detectDoji, flat, c([5, 6, 4, 5]))).not.toBeNull();
  });
});

describe('each shape maps to exactly the patterns its definition names', () => {
  const firing = (prior: Candle[], bar: Candle) =>
    ALL_RULES.map((rule) => run(rule, prior, bar)?.pattern).filter(
      (p): p is PatternMatch['pattern'] => p !== undefined,
    );

  it.each([
    ['hammer after a decline', DECLINE, HAMMER_SHAPE, ['Hammer']],
    ['hammer shape after a rise', RISE, c([113, 115, 105, 114.5]), ['Hanging_Man']],
    ['shooting star after a rise', RISE, SHOOTING_SHAPE, ['Shooting_Star']],
    [
      'morning star',
      [LONG_BEAR, c([99, 100, 97, 98.5])],
      c([99, 108, 98.5, 107]),
      ['Morning_Star'],
    ],
    ['plain bar after sideways', SIDEWAYS, c([100, 102, 99, 101.5]), []],
  ] as const)('%s', (_label, prior, bar, expected) => {
    expect(firing([...prior], bar)).toEqual(expected);
  });
});
