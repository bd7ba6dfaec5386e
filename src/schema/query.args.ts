import { ArgsType, Field, Int } from 'type-graphql';
import type { TradingSession } from '../domain/timeframe';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../services/query-input';
import { SessionEnum, TimeframeInput } from './timeframe.args';

@ArgsType()
export class RecentTicksArgs {
  @Field({
    description:
      'Ticker, e.g. "AAPL" or "ABRpD". Matched exactly; otherwise a unique case-insensitive match ("aapl" → AAPL), BAD_USER_INPUT when ambiguous ("bcpc": BCPC or BCpC).',
  })
  symbol!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'Only bars whose minute start is at or after this time.',
  })
  since?: Date | null;

  @Field(() => Int, {
    defaultValue: DEFAULT_LIMIT,
    description: `1..${MAX_LIMIT}; the newest bars are kept.`,
  })
  limit!: number;
}

@ArgsType()
export class SymbolsArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive text in the ticker or name.',
  })
  search?: string | null;

  @Field(() => Int, { defaultValue: DEFAULT_LIMIT, description: `1..${MAX_LIMIT}.` })
  limit!: number;
}

@ArgsType()
export class BarUpdatedArgs {
  @Field(() => [String], {
    nullable: true,
    description:
      'Only these tickers (exact, else a unique case-insensitive match); all when omitted.',
  })
  symbols?: string[] | null;

  @Field(() => TimeframeInput, {
    nullable: true,
    description: 'Push the in-progress bar of this timeframe (default: each 1-minute bar).',
  })
  timeframe?: TimeframeInput | null;

  @Field(() => SessionEnum, { defaultValue: SessionEnum.ALL })
  session!: TradingSession;
}

/** The limit a complexity estimate should assume: out-of-range values are rejected later anyway. */
export function limitForCost(limit: unknown): number {
  return typeof limit === 'number' && Number.isFinite(limit)
    ? Math.min(Math.max(Math.trunc(limit), 1), MAX_LIMIT)
    : DEFAULT_LIMIT;
}
