import type { IngestStatusSnapshot } from '../domain/status';

/** The live ingest status (connections, counters, writer, backfill, patterns) for the API. */
export class IngestStatusService {
  constructor(private readonly read: () => IngestStatusSnapshot) {}

  status(): IngestStatusSnapshot {
    return this.read();
  }
}
