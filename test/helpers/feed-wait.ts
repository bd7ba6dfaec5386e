import pino, { type Logger } from 'pino';

/**
 * Event-driven waiting for tests: polls a condition until it holds or a generous deadline
 * passes (the machine is shared; nothing here is a timing assertion).
 */
export async function waitFor(
  condition: () => boolean,
  message: string | (() => string),
  timeoutMs = 20_000,
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for: ${typeof message === 'function' ? message() : message}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Lets `ms` pass; only for "nothing more happens in this window" checks, never for correctness of timing. */
export function observeFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A minute-aligned feed start ten minutes in the past, so ticks pass the absurd-timestamp check. */
export function pastMinute(minutesAgo = 10): number {
  return Math.floor(Date.now() / 60_000) * 60_000 - minutesAgo * 60_000;
}

/** A debug-level pino logger whose JSON lines land in `lines` (to assert what is, and is not, logged). */
export function captureLogger(lines: string[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
}
