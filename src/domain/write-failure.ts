/**
 * What a store's write error tells its caller about retrying. `permanent`: the database refused
 * the data itself (an invalid value, a duplicate key within one statement), so the same batch
 * can never succeed and nothing of it was applied. Anything else (connection lost, timeout,
 * server restarting) is worth retrying as-is. The ohlcv repository's OhlcvWriteError says so.
 */
export interface WriteFailure {
  readonly permanent: boolean;
}

/** True when `error` is a WriteFailure that says retrying cannot help. */
export function isPermanentWriteFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Partial<WriteFailure>).permanent === true
  );
}
