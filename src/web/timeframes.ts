import type { BarsVariables } from './queries';

/** A timeframe the switcher offers. */
export interface ChartTimeframe {
  label: string;
  value: BarsVariables['timeframe'];
  /** Longest bucket in seconds (a New York day can last 25 hours), to place markers. */
  maxSeconds: number;
}

export const TIMEFRAMES: readonly ChartTimeframe[] = [
  { label: '1m', value: { multiplier: 1, unit: 'MINUTE' }, maxSeconds: 60 },
  { label: '5m', value: { multiplier: 5, unit: 'MINUTE' }, maxSeconds: 300 },
  { label: '15m', value: { multiplier: 15, unit: 'MINUTE' }, maxSeconds: 900 },
  { label: '1h', value: { multiplier: 1, unit: 'HOUR' }, maxSeconds: 3600 },
  { label: '1D', value: { multiplier: 1, unit: 'DAY' }, maxSeconds: 25 * 3600 },
];

export const DEFAULT_TIMEFRAME = TIMEFRAMES[0];

export function timeframeByLabel(label: string | null): ChartTimeframe {
  return TIMEFRAMES.find((t) => t.label === label) ?? DEFAULT_TIMEFRAME;
}
