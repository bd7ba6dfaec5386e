import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface BarSubscription {
  received(): number;
  errors(): string[];
  close(): Promise<void>;
}

/** A graphql-ws client on one API instance counting `barUpdated` events (every symbol). */
export async function subscribeBars(baseUrl: string): Promise<BarSubscription> {
  let received = 0;
  const errors: string[] = [];
  const client = createClient({
    url: `${baseUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
  });
  client.subscribe(
    { query: 'subscription { barUpdated { symbol timestamp close volume } }' },
    {
      next: (value) => {
        if (value.errors) errors.push(...value.errors.map((e) => e.message));
        if (value.data) received++;
      },
      error: (error) => errors.push(error instanceof Error ? error.message : String(error)),
      complete: () => undefined,
    },
  );
  await Promise.resolve();
  return {
    received: () => received,
    errors: () => [...errors],
    close: () => client.dispose() as Promise<void>,
  };
}
