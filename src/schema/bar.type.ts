import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, Float, ObjectType } from 'type-graphql';
import type { StoredBar } from '../domain/stored-bar';

/**
 * One 1-minute OHLCV bar. Prices are stored as exact NUMERIC text; a Float carries them
 * exactly for every price the feed can send (≤ 15 significant digits round-trip through a
 * double: '101.23' → 101.23, never 101.22999999).
 */
@ObjectType('Bar', { description: 'One 1-minute OHLCV bar; timestamp is the minute start.' })
export class BarType {
  @Field()
  symbol!: string;

  @Field({ description: 'Minute start (UTC).' })
  timestamp!: Date;

  @Field(() => Float)
  open!: number;

  @Field(() => Float)
  high!: number;

  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  close!: number;

  @Field(() => GraphQLSafeInt, { description: 'Shares traded in the minute (exceeds 32-bit Int).' })
  volume!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Volume-weighted average price, when the feed sent one.',
  })
  vwap!: number | null;
}

/** Scalar fields of Bar: its cost per item in the complexity budget. */
export const BAR_FIELD_COUNT = 8;

export function toBarType(bar: StoredBar): BarType {
  const type = new BarType();
  type.symbol = bar.symbol;
  type.timestamp = bar.timestamp;
  type.open = Number(bar.open);
  type.high = Number(bar.high);
  type.low = Number(bar.low);
  type.close = Number(bar.close);
  type.volume = bar.volume;
  type.vwap = bar.vwap === null ? null : Number(bar.vwap);
  return type;
}
