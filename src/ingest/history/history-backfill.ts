import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { MinuteBar } from '../../domain/minute-bar';
import { newYorkMidnight } from '../../domain/new-york-clock';

/** What a history load needs: minutes from REST, and somewhere to replace them. */
export interface HistoryPorts {
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]>;
  replaceMinuteBars(bars: readonly MinuteBar[]): Promise<unknown>;
}

/** One unit of work: a symbol's New York calendar day. */
export interface HistoryChunk {
  symbol: string;
  /** `YYYY-MM-DD` (New York). */
  day: string;
  fromMs: number;
  /** Inclusive: the last millisecond of the day. */
  toMs: number;
}

export interface HistoryProgress {
  done: number;
  total: number;
  skipped: number;
  bars: number;
  elapsedMs: number;
  /** Estimated time left, from the pace of the chunks fetched so far; null before the first. */
  etaMs: number | null;
  chunk: HistoryChunk;
}

export interface HistorySummary {
  chunks: number;
  fetched: number;
  /** Already loaded by an earlier run (state file). */
  skipped: number;
  bars: number;
  elapsedMs: number;
  interrupted: boolean;
}

/** Every (symbol, New York day) from `from` to `to` (inclusive dates), weekdays and weekends. */
export function historyChunks(
  symbols: readonly string[],
  from: string,
  to: string,
): HistoryChunk[] {
  const chunks: HistoryChunk[] = [];
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  for (const symbol of symbols) {
    for (let day = Date.UTC(fy, fm - 1, fd); day <= Date.UTC(ty, tm - 1, td); day += 86_400_000) {
      const date = new Date(day);
      const next = new Date(day + 86_400_000);
      chunks.push({
        symbol,
        day: date.toISOString().slice(0, 10),
        fromMs: newYorkMidnight(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()),
        toMs: newYorkMidnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()) - 1,
      });
    }
  }
  return chunks;
}

/**
 * Loads REST minute history into `ohlcv_1min`, one (symbol, day) at a time. Idempotent (each
 * day is replaced whole: rerunning changes nothing) and resumable: a day is recorded in the
 * state file only after it is stored, so an interrupted run (Ctrl-C) resumes at the first day
 * not yet recorded. Rate limiting and retries are the REST client's.
 */
export class HistoryBackfill {
  private stopped = false;

  constructor(
    private readonly ports: HistoryPorts,
    /** JSON file of the chunks already loaded (null: no resume, every chunk is fetched). */
    private readonly statePath: string | null,
  ) {}

  /** Stops after the chunk in flight (its bars are stored or not at all recorded). */
  stop(): void {
    this.stopped = true;
  }

  async run(
    chunks: readonly HistoryChunk[],
    onProgress: (progress: HistoryProgress) => void = () => {},
  ): Promise<HistorySummary> {
    const started = Date.now();
    const done = this.readState();
    let fetched = 0;
    let skipped = 0;
    let bars = 0;
    let index = 0;
    for (const chunk of chunks) {
      if (this.stopped) break;
      index++;
      const key = `${chunk.symbol}|${chunk.day}`;
      if (done.has(key)) {
        skipped++;
      } else {
        const minutes = await this.ports.fetchMinuteBars(chunk.symbol, chunk.fromMs, chunk.toMs);
        if (minutes.length > 0) await this.ports.replaceMinuteBars(minutes);
        bars += minutes.length;
        fetched++;
        done.add(key);
        this.writeState(done);
      }
      const elapsedMs = Date.now() - started;
      const left = chunks.length - index;
      onProgress({
        done: index,
        total: chunks.length,
        skipped,
        bars,
        elapsedMs,
        etaMs: fetched === 0 ? null : (elapsedMs / fetched) * left,
        chunk,
      });
    }
    return {
      chunks: chunks.length,
      fetched,
      skipped,
      bars,
      elapsedMs: Date.now() - started,
      interrupted: index < chunks.length,
    };
  }

  private readState(): Set<string> {
    if (this.statePath === null || !existsSync(this.statePath)) return new Set();
    const parsed = JSON.parse(readFileSync(this.statePath, 'utf8')) as { done?: unknown };
    return new Set(Array.isArray(parsed.done) ? parsed.done.map(String) : []);
  }

  /** Written to a temp file and renamed: a crash mid-write never leaves a torn state file. */
  private writeState(done: ReadonlySet<string>): void {
    if (this.statePath === null) return;
    const temp = `${this.statePath}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ done: [...done] })}\n`);
    renameSync(temp, this.statePath);
  }
}
