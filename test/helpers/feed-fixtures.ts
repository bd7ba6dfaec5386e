import pino, { type Logger } from 'pino';

/** A minute-aligned feed start ten minutes in the past, so ticks pass the absurd-timestamp check. */
export function pastMinute(minutesAgo = 10): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
}

/** A debug-level pino logger whose JSON lines land in `lines` (to assert what is, and is not, logged). */
export function captureLogger(lines: string[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
}
