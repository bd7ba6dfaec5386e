import { ArgsType, Field, InputType, Int, registerEnumType } from 'type-graphql';
import type { Timeframe, TradingSession } from '../domain/timeframe';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../services/query-input';

export enum TimeUnitEnum {
  MINUTE = 'minute',
  HOUR = 'hour',
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
}
registerEnumType(TimeUnitEnum, {
  name: 'TimeUnit',
  description: 'Bar units, aligned on the America/New_York clock (DST-correct).',
});

export enum SessionEnum {
  ALL = 'ALL',
  REGULAR = 'REGULAR',
}
registerEnumType(SessionEnum, {
  name: 'Session',
  description: 'ALL: extended hours included; REGULAR: 09:30–16:00 New York only.',
});

export enum BarOrderEnum {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(BarOrderEnum, {
  name: 'BarOrder',
  description: 'ASC: oldest first (pages move forward); DESC: newest first (pages move back).',
});

@InputType('TimeframeInput', {
  description:
    '`multiplier × unit`: minutes dividing an hour, hours dividing a day, 1–31 days, 1–52 weeks (from Monday), months dividing a year.',
})
export class TimeframeInput {
  @Field(() => Int, { defaultValue: 1 })
  multiplier!: number;

  @Field(() => TimeUnitEnum)
  unit!: TimeUnitEnum;
}

export function toTimeframe(input: TimeframeInput | null | undefined): Timeframe {
  return input === null || input === undefined
    ? { multiplier: 1, unit: 'minute' }
    : { multiplier: input.multiplier, unit: input.unit };
}

@ArgsType()
export class BarsArgs {
  @Field({ description: 'Ticker exactly as listed (case-sensitive: BCpC is not BCPC).' })
  symbol!: string;

  @Field(() => TimeframeInput, { nullable: true, description: 'Default 1 minute.' })
  timeframe?: TimeframeInput | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Every bar holding a minute in [from, to] is returned whole.',
  })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;

  @Field(() => SessionEnum, { defaultValue: SessionEnum.ALL })
  session!: TradingSession;

  @Field(() => BarOrderEnum, { defaultValue: BarOrderEnum.ASC })
  order!: 'asc' | 'desc';

  @Field(() => Int, { defaultValue: DEFAULT_LIMIT, description: `Bars per page, 1..${MAX_LIMIT}.` })
  limit!: number;

  @Field(() => String, {
    nullable: true,
    description: '`endCursor` of the previous page (same other arguments).',
  })
  after?: string | null;
}
