import { fork } from 'node:child_process';

/** A bench part run in a child process ended without sending its result. */
export class ChildRunError extends Error {
  constructor(what: string, code: number | null, signal: NodeJS.Signals | null) {
    super(`${what} exited (code ${code}, signal ${signal}) without a result`);
    this.name = 'ChildRunError';
  }
}

/**
 * Runs `modulePath --child <json options>` in a fresh Node process and resolves with the one
 * message it sends back (see `serveChild`). Each bench part gets its own process so PGlite (one
 * instance per process), the heap and RSS figures of one part never leak into another.
 */
export function runInChild<T>(
  what: string,
  modulePath: string,
  options: unknown,
  execArgv: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(modulePath, ['--child', JSON.stringify(options)], {
      stdio: 'inherit',
      execArgv,
    });
    let result: { ok: true; value: T } | { ok: false; error: string } | null = null;
    child.once('message', (message) => (result = message as typeof result));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (result === null) reject(new ChildRunError(what, code, signal));
      else if (result.ok) resolve(result.value);
      else reject(new Error(`${what} failed: ${result.error}`));
    });
  });
}

/**
 * The child side: when this process was started by runInChild, runs `fn` with the options and
 * sends the result (or the error) back, then exits. Returns false when not started as a child.
 */
export function serveChild<O, T>(fn: (options: O) => Promise<T>): boolean {
  if (process.argv[2] !== '--child' || process.send === undefined) return false;
  const options = JSON.parse(process.argv[3] ?? '{}') as O;
  fn(options)
    .then((value) => process.send!({ ok: true, value }, () => process.exit(0)))
    .catch((error: unknown) => {
      console.error(error);
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      process.send!({ ok: false, error: text }, () => process.exit(1));
    });
  return true;
}

/**
 * The entry point of a bench part's file: serves runInChild when started as a child; run
 * directly, runs once with argv[2] as JSON options and prints the formatted result.
 */
export function runBenchPart<O, T>(
  fn: (options: Partial<O>) => Promise<T>,
  format: (result: T) => string,
): void {
  if (serveChild(fn)) return;
  fn(JSON.parse(process.argv[2] ?? '{}') as Partial<O>)
    .then((result) => console.log(format(result)))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
