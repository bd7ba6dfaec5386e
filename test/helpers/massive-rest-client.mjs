// Runs the official @massive.com/client-js (an ES module, unmodified) in its own process:
// argv[2] = JSON {key, baseUrl, request}; prints the client's answer (pages merged by its own
// pagination) or its error as JSON on stdout.
import { restClient } from '@massive.com/client-js';

const { key, baseUrl, request } = JSON.parse(process.argv[2]);
const rest = restClient(key, baseUrl, { pagination: true });
try {
  const answer = await rest.getStocksAggregates(request);
  process.stdout.write(JSON.stringify({ ok: true, answer }));
} catch (error) {
  process.stdout.write(
    JSON.stringify({ ok: false, status: error?.response?.status, body: error?.response?.data }),
  );
}
