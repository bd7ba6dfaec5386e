import { Query, Resolver } from 'type-graphql';
import { IngestStatusType, toIngestStatusType } from '../schema/ingest-status.type';
import { IngestStatusService } from '../services/ingest-status.service';
import type { ServiceRegistry } from '../services/service-registry';

@Resolver()
export class IngestStatusResolver {
  private readonly status: IngestStatusService;

  constructor(services: ServiceRegistry) {
    this.status = services.get(IngestStatusService);
  }

  @Query(() => IngestStatusType, {
    description: 'Feed connections, counters, writer backlog and lag.',
  })
  ingestStatus(): IngestStatusType {
    return toIngestStatusType(this.status.snapshot());
  }
}
