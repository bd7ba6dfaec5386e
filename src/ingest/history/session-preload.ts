import type { Logger } from '../../logger';
import type { MinuteBar } from '../../domain/minute-bar';
import {
  EXTENDED_CLOSE_MINUTE,
  EXTENDED_OPEN_MINUTE,
  newYorkMidnight,
  toNewYorkWall,
} from '../../domain/new-york-clock';
import { HistoryBackfill, type HistoryChunk, type HistorySummary } from './history-backfill';

/** One extended session (04:00–20:00 New York) of a New York date. */
export interface Session {
  /** `YYYY-MM-DD` (New York). */
  day: string;
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

const DAY_MS = 86_400_000;

/** The last whole extended session that ended at or before `nowMs` (weekdays; no holidays). */
export function lastSessionBefore(nowMs: number): Session {
  const wall = toNewYorkWall(nowMs);
  for (let back = 0; back < 8; back++) {
    const date = new Date(Math.floor(wall / DAY_MS) * DAY_MS - back * DAY_MS);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const midnight = newYorkMidnight(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
    );
    const session = {
      day: date.toISOString().slice(0, 10),
      fromMs: midnight + EXTENDED_OPEN_MINUTE * 60_000,
      toMs: midnight + EXTENDED_CLOSE_MINUTE * 60_000,
    };
    if (session.toMs <= nowMs) return session;
  }
  throw new RangeError(`no weekday session in the week before ${new Date(nowMs).toISOString()}`);
}

export interface SessionPreloadPorts {
  symbols: readonly string[];
  session: Session;
  /** True while the source cannot answer for the session yet (the simulator generating it). */
  pending(): boolean;
  /** Of `symbols`, those with any stored minute in [fromMs, toMs). */
  symbolsWithMinutes(symbols: readonly string[], fromMs: number, toMs: number): Promise<string[]>;
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]>;
  /** The writer's serialised REST path (final: whole minutes, as REST has them). */
  replaceMinuteBars(bars: readonly MinuteBar[]): Promise<unknown>;
  logger: Logger;
  pollMs?: number;
}

/**
 * Loads one past session of minutes from REST into the database in the background, so a new
 * user's chart is full on first open. Idempotent across restarts: symbols that already have
 * minutes in the session (loaded before, or ingested live then) are left alone. Values are
 * REST's own (the same HistoryBackfill as `npm run backfill`).
 */
export class SessionPreload {
  private readonly backfill: HistoryBackfill;
  private stopped = false;
  private running: Promise<HistorySummary | null> | null = null;

  constructor(private readonly ports: SessionPreloadPorts) {
    this.backfill = new HistoryBackfill(ports, null);
  }

  /** Starts in the background; resolves (never rejects) when done, skipped or stopped. */
  start(): Promise<HistorySummary | null> {
    this.running ??= this.run().catch((error: unknown) => {
      this.ports.logger.warn(
        { err: error },
        'history preload failed; the chart fills as bars arrive',
      );
      return null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.backfill.stop();
    await this.running;
  }

  private async run(): Promise<HistorySummary | null> {
    const { session, symbols, logger } = this.ports;
    while (this.ports.pending()) {
      if (this.stopped) return null;
      await new Promise((resolve) => setTimeout(resolve, this.ports.pollMs ?? 250));
    }
    if (this.stopped) return null;
    const have = new Set(
      await this.ports.symbolsWithMinutes(symbols, session.fromMs, session.toMs),
    );
    const missing = symbols.filter((symbol) => !have.has(symbol));
    if (missing.length === 0) {
      logger.info({ session: session.day }, 'history preload: session already stored, skipped');
      return null;
    }
    const chunks: HistoryChunk[] = missing.map((symbol) => ({
      symbol,
      day: session.day,
      fromMs: session.fromMs,
      toMs: session.toMs - 1,
    }));
    const summary = await this.backfill.run(chunks);
    logger.info(
      { session: session.day, symbols: summary.fetched, bars: summary.bars, ms: summary.elapsedMs },
      summary.interrupted ? 'history preload interrupted' : 'history preload: session loaded',
    );
    return summary;
  }
}
