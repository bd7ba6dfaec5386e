import { Args, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { StoredBar } from '../domain/stored-bar';
import { BAR_FIELD_COUNT, BarType, toBarType } from '../schema/bar.type';
import { BarUpdatedArgs, limitForCost, RecentTicksArgs } from '../schema/query.args';
import type { BarQueryService, RecentBarsView } from '../services/bar-query.service';
import { toTimeframe } from '../schema/timeframe.args';
import { TOPICS, type BarTopicId } from './subscription-topics';

/** Oldest first, as Bar objects; cached with the rows, so a hit skips the mapping (never mutate). */
const GRAPHQL_BARS: RecentBarsView<readonly BarType[]> = {
  name: 'graphql',
  render: (newestFirst) => newestFirst.map(toBarType).reverse(),
  bytes: (bars) => bars.length * 160,
};

@Resolver(() => BarType)
export class BarResolver {
  constructor(private readonly bars: BarQueryService) {}

  @Query(() => [BarType], {
    description:
      'The newest `limit` minute bars of a symbol with timestamp >= since, oldest first; the in-progress minute is included.',
    complexity: ({ args, childComplexity }) =>
      1 + limitForCost(args.limit) * Math.max(childComplexity, 1),
  })
  async recentTicks(@Args() args: RecentTicksArgs): Promise<readonly BarType[]> {
    return (await this.bars.recentView(args, GRAPHQL_BARS)).value;
  }

  /** Fed by BarFeedService through the schema's PubSub (see subscription-topics.ts). */
  @Subscription(() => BarType, {
    description:
      'Each bar as the writer stores it (every flush), optionally only for some symbols; with `timeframe`, the in-progress bar of that timeframe holding each stored minute.',
    topics: TOPICS.barUpdated,
    topicId: ({ args }): BarTopicId => {
      const { symbols, timeframe, session } = args as BarUpdatedArgs;
      return timeframe === null || timeframe === undefined
        ? { symbols }
        : { symbols, timeframe: toTimeframe(timeframe), session };
    },
    complexity: 1 + BAR_FIELD_COUNT,
  })
  barUpdated(@Root() bar: StoredBar, @Args() _args: BarUpdatedArgs): BarType {
    return toBarType(bar);
  }
}
