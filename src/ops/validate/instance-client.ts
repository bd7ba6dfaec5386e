import type { IngestStatusSnapshot } from '../../domain/status';
import type { LegacyTicksResponse } from '../../http/rest';

/** HTTP reads of a running TickStock: /api/stats, the legacy REST endpoint and GraphQL. */
export class InstanceClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly token: string | null,
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  async stats(): Promise<IngestStatusSnapshot> {
    return this.json<IngestStatusSnapshot>('/api/stats');
  }

  /** Newest bar's minute start (Unix ms) over REST, null when none. */
  async newestRestBar(symbol: string): Promise<number | null> {
    const body = await this.json<LegacyTicksResponse>(
      `/api/ticks/recent?symbol=${encodeURIComponent(symbol)}&limit=1`,
    );
    return body.ticks[0] === undefined ? null : body.ticks[0].timestamp * 1000;
  }

  /** Newest bar's minute start over GraphQL `recentTicks`, null when none. */
  async newestGraphqlBar(symbol: string): Promise<number | null> {
    const response = await fetch(`${this.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.auth() },
      body: JSON.stringify({
        query: 'query($s: String!) { recentTicks(symbol: $s, limit: 1) { timestamp } }',
        variables: { s: symbol },
      }),
    });
    const body = (await response.json()) as {
      data?: { recentTicks?: { timestamp: string }[] };
      errors?: { message: string }[];
    };
    if (body.errors?.length) throw new Error(`GraphQL: ${body.errors[0].message}`);
    const bar = body.data?.recentTicks?.[0];
    return bar === undefined ? null : Date.parse(bar.timestamp);
  }

  private async json<T>(path: string): Promise<T> {
    const response = await fetch(`${this.base}${path}`, { headers: this.auth() });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  }

  private auth(): Record<string, string> {
    return this.token === null ? {} : { authorization: `Bearer ${this.token}` };
  }
}
