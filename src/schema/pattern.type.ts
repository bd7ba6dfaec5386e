import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { PatternEvent } from '../domain/pattern-event';
import type { StoredPattern } from '../domain/pattern-event';

/** GraphQL enum values are the lower-case words the event and the table carry. */
export enum PatternDirectionEnum {
  bullish = 'bullish',
  bearish = 'bearish',
  reversal = 'reversal',
  neutral = 'neutral',
}

registerEnumType(PatternDirectionEnum, {
  name: 'PatternDirection',
  description:
    'What the pattern suggests for price: up, down, a turn of the current move, or indecision.',
});

@ObjectType('Pattern', {
  description:
    'A pattern the engine detected on the per-second stream or on a closed 1-minute bar.',
})
export class PatternType {
  @Field(() => ID, {
    nullable: true,
    description: 'Row id; null only for an event that was never stored.',
  })
  id!: string | null;

  @Field()
  symbol!: string;

  @Field({ description: 'e.g. Hammer, Engulfing_Bull, High_Volume_Surge, Price_Gap.' })
  pattern!: string;

  @Field(() => PatternDirectionEnum)
  direction!: PatternDirectionEnum;

  @Field(() => Float, { description: '0..1: how far past its thresholds the rule held.' })
  confidence!: number;

  @Field(() => Float, { description: 'Close of the tick or bar the pattern was found on.' })
  price!: number;

  @Field(() => Float, {
    description: 'Percent move the rule measured (the gap, the tick move, the bar close vs open).',
  })
  priceChange!: number;

  @Field({ description: 'Window start of the tick, or minute start of the bar.' })
  timestamp!: Date;

  @Field({ description: 'When the signal stops being actionable.' })
  expiresAt!: Date;

  @Field(() => GraphQLJSONObject, {
    description: 'What the rule measured, by name (always includes relativeVolume).',
  })
  indicators!: Record<string, number>;

  @Field()
  source!: string;
}

/** Scalar fields of Pattern: its cost per item in the complexity budget. */
export const PATTERN_FIELD_COUNT = 11;

/** From a stored row, or from a bus event (which carries its row id when the sink persisted it). */
export function toPatternType(
  pattern: StoredPattern | (PatternEvent & { id?: string }),
): PatternType {
  const type = new PatternType();
  type.id = pattern.id ?? null;
  type.symbol = pattern.symbol;
  type.pattern = pattern.pattern;
  type.direction = pattern.direction as PatternDirectionEnum;
  type.confidence = pattern.confidence;
  type.price = pattern.price;
  type.priceChange = pattern.priceChange;
  type.timestamp = pattern.timestamp;
  type.expiresAt = pattern.expiresAt;
  type.indicators = pattern.indicators;
  type.source = pattern.source;
  return type;
}
