import { Args, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { PatternEvent } from '../domain/pattern-event';
import { PatternDetectedArgs, PatternsArgs } from '../schema/pattern.args';
import { PATTERN_FIELD_COUNT, PatternType, toPatternType } from '../schema/pattern.type';
import { limitForCost } from '../schema/query.args';
import type { PatternQueryService } from '../services/pattern-query.service';
import { TOPICS } from './subscription-topics';

@Resolver(() => PatternType)
export class PatternResolver {
  constructor(private readonly patternQuery: PatternQueryService) {}

  @Query(() => [PatternType], {
    description:
      'Detected patterns, newest first, optionally of one symbol / one pattern name / since a time.',
    complexity: ({ args, childComplexity }) =>
      1 + limitForCost(args.limit) * Math.max(childComplexity, 1),
  })
  async patterns(@Args() args: PatternsArgs): Promise<PatternType[]> {
    return (await this.patternQuery.recent(args)).map(toPatternType);
  }

  /** Fed by PatternQueryService through the schema's PubSub (see subscription-topics.ts). */
  @Subscription(() => PatternType, {
    description: 'Each pattern as soon as it is stored, optionally only for some symbols.',
    topics: TOPICS.patternDetected,
    topicId: ({ args }) => (args as PatternDetectedArgs).symbols,
    complexity: 1 + PATTERN_FIELD_COUNT,
  })
  patternDetected(
    @Root() event: PatternEvent & { id?: string },
    @Args() _args: PatternDetectedArgs,
  ): PatternType {
    return toPatternType(event);
  }
}
