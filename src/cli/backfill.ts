/**
 * `npm run backfill -- --symbols AAPL,MSFT --from 2025-11-03 --to 2025-11-28`: loads minute
 * history from Massive REST (MASSIVE_REST_URL, MASSIVE_API_KEY; a simulator's URL works too)
 * into the database DATABASE_URL names. Rate-limited, a progress line with ETA, a summary at
 * the end; Ctrl-C stops after the day in flight and a rerun resumes (see HistoryBackfill).
 * On embedded PGlite, run it while the service is stopped (one process per data directory).
 */
import { openDatabase } from '../../ormconfig';
import { loadConfig } from '../config';
import {
  HistoryBackfill,
  historyChunks,
  type HistoryProgress,
} from '../ingest/history/history-backfill';
import { MassiveBackfillClient } from '../ingest/massive/backfill-client';
import { createOhlcvRepository } from '../repositories/ohlcv.repository';
import { BackfillArgsError, parseBackfillArgs } from './backfill-args';

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressLine(p: HistoryProgress): string {
  const width = 30;
  const filled = Math.round((p.done / p.total) * width);
  const eta = p.etaMs === null ? '–' : clock(p.etaMs);
  return `[${'='.repeat(filled)}${' '.repeat(width - filled)}] ${p.done}/${p.total} days · ${p.bars.toLocaleString('en-US')} bars · ${p.chunk.symbol} ${p.chunk.day} · ETA ${eta}`;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseBackfillArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BackfillArgsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const config = loadConfig();
  if (config.massiveApiKey === null) {
    console.error('MASSIVE_API_KEY is required (MASSIVE_REST_URL may point at a simulator)');
    return 2;
  }
  const dataSource = await openDatabase(config.database);
  const client = new MassiveBackfillClient({
    restUrl: config.massiveRestUrl,
    apiKey: config.massiveApiKey,
    requestsPerSecond: args.requestsPerSecond,
  });
  const history = new HistoryBackfill(
    {
      fetchMinuteBars: (s, f, t) => client.fetchMinuteBars(s, f, t),
      replaceMinuteBars: (b) => createOhlcvRepository(dataSource).replaceMinuteBars(b),
    },
    args.statePath,
  );
  process.once('SIGINT', () => {
    console.error('\nstopping after the day in flight; rerun the same command to resume');
    history.stop();
  });
  const tty = process.stderr.isTTY;
  try {
    const summary = await history.run(historyChunks(args.symbols, args.from, args.to), (p) => {
      if (tty) process.stderr.write(`\r${progressLine(p)}`);
      else if (p.done === p.total || p.done % 10 === 0) console.error(progressLine(p));
    });
    if (tty) process.stderr.write('\n');
    const status = client.status();
    console.log(
      `${summary.interrupted ? 'interrupted' : 'done'}: ${summary.fetched} days fetched, ${summary.skipped} already loaded, ` +
        `${summary.bars.toLocaleString('en-US')} minute bars stored in ${clock(summary.elapsedMs)}; ` +
        `${status.requests} requests, ${status.retries} retries, ${status.barsRejected} bars rejected`,
    );
    return summary.interrupted ? 130 : 0;
  } finally {
    client.close();
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
