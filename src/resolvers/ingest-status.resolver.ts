import { Query, Resolver } from 'type-graphql';
import { IngestStatusType, toIngestStatusType } from '../schema/ingest-status.type';
import type { IngestStatusService } from '../services/ingest-status.service';

@Resolver()
export class IngestStatusResolver {
  constructor(private readonly status: IngestStatusService) {}

  @Query(() => IngestStatusType, {
    description: 'Feed connections, counters, writer backlog and lag.',
  })
  ingestStatus(): IngestStatusType {
    return toIngestStatusType(this.status.status());
  }
}
