import type { TickData } from '../../domain/tick';
import type { MassiveError } from './errors';
import type { FrameReject } from './protocol';

/** Minutes this socket may have missed: feed-time window starts, Unix ms. */
export interface FeedGap {
  connectionId: number;
  /** The socket's symbols (for `*`: every symbol it has seen). */
  symbols: string[];
  /** Window start of the last event before the drop (or the drop time if there was none). */
  fromMs: number;
  /** Window start of the first event after the new session went live. */
  toMs: number;
  /** Why the session that opened the gap ended. */
  reason: string;
}

/** The data part of one frame, as the protocol parsed it (handed over as is, nothing copied). */
export interface FeedFrame {
  /** Valid ticks in frame order; empty when every data element was rejected. */
  readonly events: readonly TickData[];
  readonly rejects: readonly FrameReject[];
  /** Data elements in the frame, valid or not (status messages excluded). */
  readonly dataCount: number;
}

/**
 * Everything a Massive socket reports, in one typed listener (the pool hands the same listener
 * to each of its sockets). Called synchronously from the socket's message handler; a listener
 * that throws is logged, rate-limited, and the socket keeps running.
 */
export interface FeedListener {
  /** Once per frame that carried data. Hot path: one call per frame, nothing allocated per tick. */
  frame(frame: FeedFrame): void;
  /** Live data resumed after a drop; reported before the frame that closed the gap. */
  gap?(gap: FeedGap): void;
  /** A failure that stops this socket for good (auth_failed, unusable URL). */
  fatal?(error: MassiveError): void;
}
