import { Args, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { StoredBar } from '../domain/stored-bar';
import type { ApiContext } from '../schema/api-context';
import { BAR_FIELD_COUNT, BarType, toBarType } from '../schema/bar.type';
import { BarUpdatedArgs, limitForCost, RecentTicksArgs } from '../schema/query.args';
import { BarFeedService } from '../services/bar-feed.service';
import { BarQueryService } from '../services/bar-query.service';
import type { ServiceRegistry } from '../services/service-registry';

@Resolver(() => BarType)
export class BarResolver {
  private readonly bars: BarQueryService;

  constructor(services: ServiceRegistry) {
    this.bars = services.get(BarQueryService);
  }

  @Query(() => [BarType], {
    description:
      'The newest `limit` minute bars of a symbol with timestamp >= since, oldest first; the in-progress minute is included.',
    complexity: ({ args, childComplexity }) =>
      1 + limitForCost(args.limit) * Math.max(childComplexity, 1),
  })
  async recentTicks(@Args() args: RecentTicksArgs): Promise<BarType[]> {
    const newestFirst = await this.bars.recentBars(args);
    return newestFirst.reverse().map(toBarType);
  }

  @Subscription(() => BarType, {
    description:
      'Each bar as the writer stores it (every flush), optionally only for some symbols.',
    subscribe: ({ args, context }) =>
      (context as ApiContext).services
        .get(BarFeedService)
        .subscribe((args as BarUpdatedArgs).symbols),
    complexity: 1 + BAR_FIELD_COUNT,
  })
  barUpdated(@Root() bar: StoredBar, @Args() _args: BarUpdatedArgs): BarType {
    return toBarType(bar);
  }
}
