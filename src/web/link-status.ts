import { ApiUnreachableError, type GraphQLErrorEntry } from './graphql-client';
import { describeErrors } from './poll-errors';
import { extendedHoursOpen } from '../domain/new-york-clock';
import type { StatusInput } from './status-view';

/**
 * What the page knows about its link to the data: when the API last answered, why the last
 * poll failed (no answer / GraphQL errors), and the feed's connection states.
 */
export class LinkStatus {
  private lastOkAt: number | null = null;
  private unreachable: string | null = null;
  private queryError: string | null = null;
  private feedStates: string[] | null = null;
  private feedFailures: string[] = [];
  private lastTickAt: number | null = null;

  /** A poll was answered, maybe with errors; `hasData` when some field resolved. */
  answered(errors: readonly GraphQLErrorEntry[], hasData: boolean, now: number): void {
    this.unreachable = null;
    this.queryError = errors.length > 0 ? describeErrors(errors) : null;
    if (hasData) this.lastOkAt = now;
  }

  /** A poll produced no usable answer. */
  failed(error: unknown): void {
    if (error instanceof ApiUnreachableError) this.unreachable = error.message;
    else this.queryError = error instanceof Error ? error.message : String(error);
  }

  /** The page fixed the refused input itself and polls again at once: no banner for it. */
  clearQueryError(): void {
    this.queryError = null;
  }

  /** The sockets' states, why any of them stopped for good (`#id: …`), the newest tick. */
  feedReported(states: string[], failures: string[] = [], lastTickAt: number | null = null): void {
    this.feedStates = states;
    this.feedFailures = failures;
    this.lastTickAt = lastTickAt;
  }

  input(now: number, pollMs: number, paused: boolean): StatusInput {
    return {
      now,
      pollMs,
      paused,
      lastOkAt: this.lastOkAt,
      unreachable: this.unreachable,
      queryError: this.queryError,
      feedLive: this.feedStates === null ? null : this.feedStates.includes('live'),
      feedStates: this.feedStates ?? [],
      feedFailures: this.feedFailures,
      marketClosed: !extendedHoursOpen(now),
      lastTickAt: this.lastTickAt,
    };
  }
}
