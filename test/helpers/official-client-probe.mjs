// The official Massive JS client (@massive.com/client-js), unmodified, as a peer process: the
// package is ESM-only, so it runs under plain Node rather than inside Jest's CommonJS runtime.
// Usage: node official-client-probe.mjs '<json>' with {key, wsBase, restBase, subscribe,
// events, rest: DefaultApiGetStocksAggregatesRequest, timeoutMs}. Writes one JSON line per
// stage on stdout: {stage:'subscribed'}, {stage:'stream', statuses, events},
// {stage:'rest', paged, single}.
import { restClient, websocketClient } from '@massive.com/client-js';

const args = JSON.parse(process.argv[2]);
const out = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const timer = setTimeout(() => {
  out({ stage: 'timeout' });
  process.exit(2);
}, args.timeoutMs ?? 30_000);

// The client opens the socket and sends auth on open; we subscribe after auth_success, as its
// README shows, and parse the frames ourselves (the client hands over raw messages).
const ws = websocketClient(args.key, args.wsBase).stocks();
const statuses = [];
const events = [];
await new Promise((resolve, reject) => {
  ws.onerror = () => reject(new Error('websocket error'));
  ws.onclose = () => (events.length >= args.events ? resolve() : reject(new Error('closed early')));
  ws.onmessage = (message) => {
    for (const item of JSON.parse(message.data)) {
      if (item.ev === 'status') {
        statuses.push(item.status);
        if (item.status === 'auth_success')
          ws.send(JSON.stringify({ action: 'subscribe', params: args.subscribe }));
        if (item.status === 'success') out({ stage: 'subscribed', message: item.message });
      } else if (item.ev === 'A') {
        events.push(item);
        if (events.length === args.events) resolve();
      }
    }
  };
});
ws.close();
out({ stage: 'stream', statuses, events });

// With pagination the client follows next_url (appending &apiKey=) and merges the pages.
const paged = await restClient(args.key, args.restBase, { pagination: true }).getStocksAggregates(
  args.rest,
);
const single = await restClient(args.key, args.restBase).getStocksAggregates(args.rest);
out({ stage: 'rest', paged, single });
clearTimeout(timer);
