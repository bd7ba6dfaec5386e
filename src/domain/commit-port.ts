/**
 * What every writer of served rows (bar flushes, backfill replaces, corrections, pattern
 * inserts, retention) runs its write through, so read caches stay exact: `around` marks the
 * symbols as being written for as long as the write is in flight, and as changed once it ends —
 * whether it committed, failed, or failed ambiguously (committed, reply lost). Ingest and the
 * pattern sink receive it as a port; the API's read cache implements it.
 */
export interface CommitPort {
  around<T>(symbols: Iterable<string>, write: () => Promise<T>): Promise<T>;
}

/** No cache to keep exact: the write runs as is. */
export const NO_COMMIT_PORT: CommitPort = {
  around: (_symbols, write) => write(),
};
