import { idleIngestStatus } from '../domain/status';
import type { Ingest, IngestStatus } from '../ingest/create-ingest';
import type { Logger } from '../logger';

const LIVE_CHECK_MS = 100;

/**
 * The ingest graph of a leader, built fresh on every election by the start-up path
 * (createIngest: seed from the newest stored minutes, backfill from there to the first live
 * minute), so a takeover fills the hole the dead leader left exactly as a restart does. A
 * deposed leader abandons its graph at once: sockets closed, gap filling and writes stopped,
 * nothing drained — the new leader's backfill owns those minutes now.
 */
export class LeaderIngest {
  private ingest: Ingest | null = null;
  /** The abandoned graph, still reported (closed sockets, frozen counters) until the next election. */
  private last: Ingest | null = null;
  private liveTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly build: () => Promise<Ingest>,
    private readonly logger: Logger,
    /** Called once the feed is live after an election. */
    private readonly onLive: () => void,
  ) {}

  get current(): Ingest | null {
    return this.ingest;
  }

  async lead(): Promise<void> {
    if (this.ingest !== null) return;
    const ingest = await this.build();
    this.ingest = ingest;
    this.last = ingest;
    ingest.start();
    this.liveTimer = setInterval(() => {
      if (!ingest.feedLive()) return;
      this.clearLiveTimer();
      this.onLive();
    }, LIVE_CHECK_MS);
  }

  /** Deposed: stop the socket and every write now (synchronously as far as possible). */
  async abandon(reason: string): Promise<void> {
    const ingest = this.ingest;
    this.ingest = null;
    this.clearLiveTimer();
    if (ingest === null) return;
    ingest.writer.stop();
    ingest.gapFiller?.stop();
    ingest.backfillClient?.close();
    await ingest.pool?.close();
    this.logger.warn(
      { reason, backlogAbandoned: ingest.writer.status().backlog },
      'ingest abandoned: socket closed, writes stopped (the next leader backfills)',
    );
  }

  /** SIGTERM as leader: the normal drain (fill waiting gaps, write every pending bar). */
  async stop(drainTimeoutMs: number): Promise<void> {
    this.clearLiveTimer();
    await this.ingest?.stop({ drainTimeoutMs });
  }

  status(): IngestStatus {
    const graph = this.ingest ?? this.last;
    if (graph !== null) return graph.status();
    const { ingest, connections, writer, backfill, corrections, reconcile } = idleIngestStatus();
    return { ingest, connections, writer, backfill, corrections, reconcile };
  }

  feedLive(): boolean {
    return this.ingest?.feedLive() ?? false;
  }

  private clearLiveTimer(): void {
    if (this.liveTimer) clearInterval(this.liveTimer);
    this.liveTimer = null;
  }
}
