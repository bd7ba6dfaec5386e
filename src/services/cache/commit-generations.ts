import { randomBytes } from 'node:crypto';
import type { CommitPort } from '../../domain/commit-port';

/** The scope of answers that span every symbol (e.g. `patterns` without a symbol filter). */
export const ALL_SYMBOLS_SCOPE = '\u0000*';

/** Generations are `era * ERA + count`: invalidateAll() starts a new era for every scope at once. */
const ERA = 2 ** 32;

/**
 * Per-symbol commit generations: the number of writes that began or ended for a symbol. A
 * cached answer is valid while its symbol's generation is the one it was read at and no write
 * of that symbol is in flight. A write bumps the generation when it starts AND when it ends, so
 * a read that overlapped a write in any way sees a different number afterwards and never
 * populates the cache with rows from before the commit.
 *
 * Memory: one entry per symbol ever written (the universe), not per query.
 */
export class CommitGenerations implements CommitPort {
  /**
   * Random per process: generations restart at 0 with the process, so an ETag handed out by an
   * earlier lifetime (or another instance) can never match one of this one.
   */
  readonly epoch = randomBytes(6).toString('base64url');
  private readonly generations = new Map<string, number>();
  private readonly writing = new Map<string, number>();
  private readonly idleWaiters = new Map<string, (() => void)[]>();
  private commitsSeen = 0;
  private era = 0;

  /**
   * `hold(scope)`: true while answers of the scope must not come from or go into the cache for
   * a reason outside this process (ROLE=api: the commit stream from the ingest leader is down,
   * or the replica has not replayed the scope's last commit yet).
   */
  constructor(private readonly hold: (scope: string) => boolean = () => false) {}

  generation(scope: string): number {
    return this.era * ERA + (this.generations.get(scope) ?? 0);
  }

  /** A write of this scope is in flight (or held): its answer is unknown until it ends. */
  busy(scope: string): boolean {
    return this.writing.has(scope) || this.hold(scope);
  }

  /** Resolves once no write of `scope` is in flight (at once when none is). */
  whenIdle(scope: string): Promise<void> {
    if (!this.writing.has(scope)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.idleWaiters.get(scope);
      if (waiters === undefined) this.idleWaiters.set(scope, [resolve]);
      else waiters.push(resolve);
    });
  }

  /** Writes that ended (any outcome), over all symbols. */
  get commits(): number {
    return this.commitsSeen;
  }

  async around<T>(symbols: Iterable<string>, write: () => Promise<T>): Promise<T> {
    const scopes = this.begin(symbols);
    if (scopes.size === 0) return write();
    try {
      return await write();
    } finally {
      this.end(scopes);
    }
  }

  /** A write of `symbols` began (here, or in the ingest leader); returns the scopes to end(). */
  begin(symbols: Iterable<string>): Set<string> {
    const scopes = new Set(symbols);
    if (scopes.size === 0) return scopes;
    scopes.add(ALL_SYMBOLS_SCOPE);
    for (const scope of scopes) {
      this.bump(scope);
      this.writing.set(scope, (this.writing.get(scope) ?? 0) + 1);
    }
    return scopes;
  }

  /** The write begin() returned `scopes` for ended, whatever its outcome. */
  end(scopes: ReadonlySet<string>): void {
    if (scopes.size === 0) return;
    this.commitsSeen++;
    for (const scope of scopes) {
      const left = (this.writing.get(scope) ?? 1) - 1;
      if (left === 0) this.writing.delete(scope);
      else this.writing.set(scope, left);
      this.bump(scope);
    }
    for (const scope of scopes) if (!this.writing.has(scope)) this.wakeIdle(scope);
  }

  /**
   * Every cached answer of every scope is void (commits may have been missed): a new era, and
   * no write in flight any more — writes still running are announced again or end in the era.
   */
  invalidateAll(): void {
    this.era++;
    this.generations.clear();
    this.writing.clear();
    for (const scope of [...this.idleWaiters.keys()]) this.wakeIdle(scope);
  }

  private wakeIdle(scope: string): void {
    const waiters = this.idleWaiters.get(scope);
    if (waiters === undefined) return;
    this.idleWaiters.delete(scope);
    for (const wake of waiters) wake();
  }

  private bump(scope: string): void {
    this.generations.set(scope, (this.generations.get(scope) ?? 0) + 1);
  }
}
