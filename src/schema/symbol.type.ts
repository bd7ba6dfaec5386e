import { Field, ObjectType } from 'type-graphql';
import type { SymbolRecord } from '../domain/symbol-record';

/**
 * A ticker seen on the feed. `latestBar` (SymbolResolver) and `patterns` (pattern engine)
 * are field resolvers batched per request through DataLoaders.
 */
@ObjectType('Symbol', { description: 'A ticker seen on the feed.' })
export class SymbolType implements SymbolRecord {
  @Field()
  symbol!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field({ description: 'When the feed first sent this ticker.' })
  firstSeen!: Date;
}

export function toSymbolType(record: SymbolRecord): SymbolType {
  return Object.assign(new SymbolType(), record);
}
