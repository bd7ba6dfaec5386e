import { performance } from 'node:perf_hooks';
import { Client } from 'pg';

/** Longest and typical latency one probe statement saw while a window was open. */
export interface ProbeFigures {
  statements: number;
  maxMs: number;
  p50Ms: number;
}

/**
 * What another session sees while a migration runs: one connection reads a bar by key, one
 * writes one (the old system's upsert) back to back; the longest single statement is how long
 * a lock held it up. Probes stop at stop().
 */
export class LockProbe {
  private readonly clients: Client[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly samples = { read: [] as number[], write: [] as number[] };

  constructor(
    private readonly url: string,
    private readonly symbol: string,
    private readonly timestamp: string,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < 2; i++) {
      const client = new Client({ connectionString: this.url });
      await client.connect();
      this.clients.push(client);
    }
    this.running = true;
    const [reader, writer] = this.clients;
    this.loops = [
      this.loop(
        reader,
        this.samples.read,
        `SELECT open FROM ohlcv_1min WHERE symbol = $1 AND "timestamp" = $2`,
      ),
      this.loop(
        writer,
        this.samples.write,
        `INSERT INTO ohlcv_1min AS b (symbol, "timestamp", open, high, low, close, volume)
         VALUES ($1, $2, 1, 1, 1, 1, 1) ON CONFLICT (symbol, "timestamp") DO UPDATE SET volume = b.volume`,
      ),
    ];
  }

  /** Clears the samples (e.g. after a baseline), keeping the probes running. */
  reset(): void {
    this.samples.read.length = 0;
    this.samples.write.length = 0;
  }

  figures(): { read: ProbeFigures; write: ProbeFigures } {
    return { read: summarise(this.samples.read), write: summarise(this.samples.write) };
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.clients.map((c) => c.end()));
  }

  private async loop(client: Client, samples: number[], sql: string): Promise<void> {
    while (this.running) {
      const started = performance.now();
      await client.query(sql, [this.symbol, this.timestamp]);
      samples.push(performance.now() - started);
    }
  }
}

function summarise(values: number[]): ProbeFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    statements: sorted.length,
    maxMs: round(sorted[sorted.length - 1] ?? 0),
    p50Ms: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
