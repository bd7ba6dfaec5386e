import type { IngestStatusSnapshot } from '../domain/status';
import type { AppEvents } from '../events/app-events';

/** How often an ingest leader publishes its status snapshot for the API instances. */
export const STATUS_PUBLISH_MS = 2_000;

/** A snapshot older than this many publish periods is the status of a leader that is gone. */
const STALE_PERIODS = 5;

/**
 * The ingest leader's latest status snapshot as an API instance receives it over the event
 * bus, so its dashboard and `ingestStatus` show the feed's health rather than an empty
 * process's; null before the first one and once it is stale.
 */
export class LeaderStatusRelay {
  private latest: { snapshot: IngestStatusSnapshot; atMs: number } | null = null;
  private readonly iterator: AsyncIterableIterator<IngestStatusSnapshot>;

  constructor(events: AppEvents) {
    this.iterator = events.subscribe('ingestStatus');
    void this.consume();
  }

  current(): IngestStatusSnapshot | null {
    if (this.latest === null) return null;
    if (Date.now() - this.latest.atMs > STALE_PERIODS * STATUS_PUBLISH_MS) return null;
    return this.latest.snapshot;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private async consume(): Promise<void> {
    for await (const snapshot of this.iterator) this.latest = { snapshot, atMs: Date.now() };
  }
}
