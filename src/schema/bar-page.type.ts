import { Field, ObjectType } from 'type-graphql';
import { BarType } from './bar.type';

@ObjectType('BarPage', { description: 'One page of bars of a timeframe.' })
export class BarPageType {
  @Field(() => [BarType], {
    description: 'Bars in the requested order; timestamp is the bucket start.',
  })
  bars!: BarType[];

  @Field({ description: 'True when `endCursor` leads to more bars.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}
