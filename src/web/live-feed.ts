import { createClient, type Client } from 'graphql-ws';
import { bearer, tokenRefused } from './auth-session';

/** graphql-ws closes with 4403 when connection_init carries no valid token. */
const FORBIDDEN = 4403;

export interface LiveFeedEvents {
  /** One pushed bar update (barUpdated). */
  bar(symbol: string): void;
}

/**
 * The `barUpdated` subscription over graphql-ws on the same origin; the bearer token travels
 * in `connectionParams` (a browser WebSocket cannot set headers). Reconnects on its own.
 */
export class LiveFeed {
  private client: Client | null = null;
  private dispose: (() => void) | null = null;

  constructor(
    private readonly path: string,
    private readonly events: LiveFeedEvents,
  ) {}

  start(): void {
    this.stop();
    const url = new URL(this.path, window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.client = createClient({
      url: url.href,
      lazy: false,
      retryAttempts: Infinity,
      connectionParams: () => {
        const authorization = bearer();
        return authorization === null ? {} : { authorization };
      },
      on: {
        closed: (event) => {
          if ((event as CloseEvent | undefined)?.code === FORBIDDEN) tokenRefused();
        },
      },
    });
    this.dispose = this.client.subscribe<{ barUpdated: { symbol: string } }>(
      { query: 'subscription Live { barUpdated { symbol } }' },
      {
        next: (message) => {
          const symbol = message.data?.barUpdated.symbol;
          if (symbol !== undefined) this.events.bar(symbol);
        },
        error: () => undefined, // the client retries; the pill shows the HTTP poll state
        complete: () => undefined,
      },
    );
  }

  stop(): void {
    this.dispose?.();
    this.dispose = null;
    void this.client?.dispose();
    this.client = null;
  }
}
