import type { IngestStatusSnapshot } from '../domain/status';
import type { ApiDeps } from './service-registry';

/** The live ingest status (connections, counters, writer, backfill, patterns) for the API. */
export class IngestStatusService {
  private readonly status: () => IngestStatusSnapshot;

  constructor(deps: Pick<ApiDeps, 'status'>) {
    this.status = deps.status;
  }

  snapshot(): IngestStatusSnapshot {
    return this.status();
  }
}
