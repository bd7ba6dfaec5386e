/** The scripts' one way to wait: poll a condition until it holds or a generous deadline passes. */

/** A wait whose condition did not hold before its deadline. */
export class WaitTimeoutError extends Error {
  constructor(what: string, timeoutMs: number, options?: { cause?: unknown }) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, options);
    this.name = 'WaitTimeoutError';
  }
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = 60_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new WaitTimeoutError(typeof what === 'string' ? what : what(), timeoutMs);
    await sleep(intervalMs);
  }
}

/** Lets time pass (pacing a schedule, never a correctness assumption). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
