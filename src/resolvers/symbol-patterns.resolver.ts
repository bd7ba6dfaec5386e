import DataLoader from 'dataloader';
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { SYMBOL_PATTERNS_MAX_LIMIT, SymbolPatternsArgs } from '../schema/pattern.args';
import { PATTERN_FIELD_COUNT, PatternType, toPatternType } from '../schema/pattern.type';
import { SymbolType } from '../schema/symbol.type';
import type { PatternQueryService } from '../services/pattern-query.service';
import { loaderFor, type ApiContext } from './api-context';

/** `Symbol.patterns`, kept apart from SymbolResolver so the pattern engine owns its field. */
@Resolver(() => SymbolType)
export class SymbolPatternsResolver {
  constructor(private readonly patternQuery: PatternQueryService) {}

  /** Batched: every Symbol of one operation asking for the same limit shares one query. */
  @FieldResolver(() => [PatternType], {
    description: 'The newest patterns of this symbol, newest first.',
    complexity: ({ args }) =>
      1 + Math.min(Number(args.limit) || 1, SYMBOL_PATTERNS_MAX_LIMIT) * PATTERN_FIELD_COUNT,
  })
  async patterns(
    @Root() symbol: SymbolType,
    @Args() { limit }: SymbolPatternsArgs,
    @Ctx() context: ApiContext,
  ): Promise<PatternType[]> {
    const loader = loaderFor(
      context,
      `Symbol.patterns:${limit}`,
      () =>
        new DataLoader<string, PatternType[]>(async (symbols) =>
          (await this.patternQuery.latestForSymbols(symbols, limit, SYMBOL_PATTERNS_MAX_LIMIT)).map(
            (list) => list.map(toPatternType),
          ),
        ),
    );
    return loader.load(symbol.symbol);
  }
}
