/**
 * The one way tests and scripts wait: poll a probe until it yields, or fail after a generous
 * deadline. Event-driven waiting on a shared, loaded machine; never a timing assertion.
 */

/** Long enough for a loaded 2-core machine, short enough to fail inside a 60 s test timeout. */
export const DEFAULT_WAIT_MS = 45_000;

/** A wait whose probe did not yield before its deadline. */
export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, options);
    this.name = 'WaitTimeoutError';
  }
}

/** What a probe returns while the awaited thing has not happened yet. */
type NotYet = false | null | undefined;

/** A wait: polls `probe` until it yields, fails with WaitTimeoutError after `timeoutMs`. */
export type Wait = <T>(
  probe: () => T | Promise<T>,
  what: string | (() => string),
  timeoutMs?: number,
  intervalMs?: number,
) => Promise<Exclude<T, NotYet>>;

/**
 * Polls `probe` (sync or async) until it returns something other than false/null/undefined, and
 * returns that (so a boolean condition resolves to `true`, a lookup to what it found). A probe
 * that throws fails the wait at once. Polls often (10 ms): some tests watch a short-lived state,
 * like a socket between a drop and its reconnect.
 */
export const waitFor: Wait = (probe, what, timeoutMs = DEFAULT_WAIT_MS, intervalMs = 10) =>
  poll(probe, what, timeoutMs, intervalMs, false);

/**
 * waitFor for a probe that may throw until the thing is ready (a page still loading): a throw
 * counts as "not yet", and the last error or value seen is reported when the deadline passes.
 */
export const waitThroughErrors: Wait = (
  probe,
  what,
  timeoutMs = DEFAULT_WAIT_MS,
  intervalMs = 50,
) => poll(probe, what, timeoutMs, intervalMs, true);

async function poll<T>(
  probe: () => T | Promise<T>,
  what: string | (() => string),
  timeoutMs: number,
  intervalMs: number,
  throughErrors: boolean,
): Promise<Exclude<T, NotYet>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (found(value)) return value;
      last = value;
    } catch (error) {
      if (!throughErrors) throw error;
      last = error;
    }
    if (Date.now() > deadline) {
      const label = typeof what === 'function' ? what() : what;
      throw throughErrors
        ? new WaitTimeoutError(`${label} (last: ${String(last)})`, timeoutMs, { cause: last })
        : new WaitTimeoutError(label, timeoutMs);
    }
    await sleep(intervalMs);
  }
}

/** Lets time pass: pacing a schedule or "nothing more happens in this window", never correctness. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function found<T>(value: T): value is Exclude<T, NotYet> {
  return value !== false && value !== null && value !== undefined;
}
