import DataLoader from 'dataloader';
import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { BarType, toBarType } from '../schema/bar.type';
import { limitForCost, SymbolsArgs } from '../schema/query.args';
import { SymbolType, toSymbolType } from '../schema/symbol.type';
import type { BarQueryService } from '../services/bar-query.service';
import type { SymbolQueryService } from '../services/symbol-query.service';
import { loaderFor, type ApiContext } from './api-context';

@Resolver(() => SymbolType)
export class SymbolResolver {
  constructor(
    private readonly symbolQuery: SymbolQueryService,
    private readonly bars: BarQueryService,
  ) {}

  @Query(() => [SymbolType], {
    description: 'Known tickers, optionally filtered by text in the ticker or name.',
    complexity: ({ args, childComplexity }) =>
      1 + limitForCost(args.limit) * Math.max(childComplexity, 1),
  })
  async symbols(@Args() args: SymbolsArgs): Promise<SymbolType[]> {
    return (await this.symbolQuery.search(args)).map(toSymbolType);
  }

  /** Batched: all Symbols of one operation share one latest-bar query. */
  @FieldResolver(() => BarType, {
    nullable: true,
    description: 'The newest stored bar (the in-progress minute).',
  })
  async latestBar(@Root() symbol: SymbolType, @Ctx() context: ApiContext): Promise<BarType | null> {
    const loader = loaderFor(
      context,
      'Symbol.latestBar',
      () =>
        new DataLoader<string, BarType | null>(async (keys) =>
          (await this.bars.latestBars(keys)).map((bar) => bar && toBarType(bar)),
        ),
    );
    return loader.load(symbol.symbol);
  }
}
