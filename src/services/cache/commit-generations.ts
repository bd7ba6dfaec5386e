import { randomBytes } from 'node:crypto';
import type { CommitPort } from '../../domain/commit-port';

/** The scope of answers that span every symbol (e.g. `patterns` without a symbol filter). */
export const ALL_SYMBOLS_SCOPE = '\u0000*';

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

  generation(scope: string): number {
    return this.generations.get(scope) ?? 0;
  }

  /** A write of this scope is in flight: its answer is unknown until it ends. */
  busy(scope: string): boolean {
    return this.writing.has(scope);
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
    const scopes = new Set(symbols);
    if (scopes.size === 0) return write();
    scopes.add(ALL_SYMBOLS_SCOPE);
    for (const scope of scopes) {
      this.bump(scope);
      this.writing.set(scope, (this.writing.get(scope) ?? 0) + 1);
    }
    try {
      return await write();
    } finally {
      this.commitsSeen++;
      for (const scope of scopes) {
        const left = (this.writing.get(scope) ?? 1) - 1;
        if (left === 0) this.writing.delete(scope);
        else this.writing.set(scope, left);
        this.bump(scope);
      }
      for (const scope of scopes) {
        const waiters = this.writing.has(scope) ? undefined : this.idleWaiters.get(scope);
        if (waiters === undefined) continue;
        this.idleWaiters.delete(scope);
        for (const wake of waiters) wake();
      }
    }
  }

  private bump(scope: string): void {
    this.generations.set(scope, this.generation(scope) + 1);
  }
}
