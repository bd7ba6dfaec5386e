import { ArgsType, Field, Int } from 'type-graphql';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../services/query-input';

@ArgsType()
export class PatternsArgs {
  @Field(() => String, {
    nullable: true,
    description:
      'Only this ticker (exact, else a unique case-insensitive match); all when omitted.',
  })
  symbol?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only patterns stamped at or after this time.',
  })
  since?: Date | null;

  @Field(() => String, { nullable: true, description: 'Only this pattern name, e.g. "Hammer".' })
  pattern?: string | null;

  @Field(() => Int, {
    defaultValue: DEFAULT_LIMIT,
    description: `1..${MAX_LIMIT}; the newest are kept.`,
  })
  limit!: number;
}

@ArgsType()
export class PatternDetectedArgs {
  @Field(() => [String], {
    nullable: true,
    description:
      'Only these tickers (exact, else a unique case-insensitive match); all when omitted.',
  })
  symbols?: string[] | null;
}

/** Per-symbol cap for `Symbol.patterns` (N symbols × limit rows in one query). */
export const SYMBOL_PATTERNS_MAX_LIMIT = 100;
export const SYMBOL_PATTERNS_DEFAULT_LIMIT = 10;

@ArgsType()
export class SymbolPatternsArgs {
  @Field(() => Int, {
    defaultValue: SYMBOL_PATTERNS_DEFAULT_LIMIT,
    description: `1..${SYMBOL_PATTERNS_MAX_LIMIT} newest patterns of this symbol.`,
  })
  limit!: number;
}
