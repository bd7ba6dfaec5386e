import { Args, Query, Resolver } from 'type-graphql';
import { BarPageType } from '../schema/bar-page.type';
import { toBarType } from '../schema/bar.type';
import { limitForCost } from '../schema/query.args';
import { BarsArgs, toTimeframe } from '../schema/timeframe.args';
import type { TimeframeBarsService } from '../services/timeframe-bars.service';

@Resolver(() => BarPageType)
export class TimeframeBarsResolver {
  constructor(private readonly timeframeBars: TimeframeBarsService) {}

  @Query(() => BarPageType, {
    description:
      'Bars of any timeframe rolled up exactly from the stored minutes (New York-aligned, DST-correct), one page at a time; the in-progress bar is included.',
    complexity: ({ args, childComplexity }) =>
      1 + limitForCost(args.limit) * Math.max(childComplexity, 1),
  })
  async bars(@Args() args: BarsArgs): Promise<BarPageType> {
    const page = await this.timeframeBars.bars({
      symbol: args.symbol,
      timeframe: toTimeframe(args.timeframe),
      from: args.from,
      to: args.to,
      session: args.session,
      limit: args.limit,
      after: args.after,
      sort: args.order,
    });
    const type = new BarPageType();
    type.bars = page.bars.map(toBarType);
    type.hasNextPage = page.nextCursor !== null;
    type.endCursor = page.nextCursor;
    return type;
  }
}
