import type { Logger, RateLimitedLog } from '../../logger';
import type { MassiveError } from './errors';
import type { FeedFrame, FeedListener } from './feed-listener';
import type { GapTracker } from './gap-tracker';

/**
 * The reporting side of one socket: logs bad input (rate-limited), turns resumed data into
 * gaps, and hands frames, gaps and fatal errors to the listener, which must never take the
 * socket down with it.
 */
export class FeedDispatcher {
  constructor(
    private readonly listener: FeedListener,
    private readonly gaps: GapTracker,
    private readonly log: Logger,
    private readonly rateLog: RateLimitedLog,
  ) {}

  /** A frame that carried data (its statuses already handled). */
  frame(frame: FeedFrame): void {
    for (const reject of frame.rejects) {
      this.rateLog.warn(
        `reject:${reject.reason}`,
        { reason: reject.reason, detail: reject.detail },
        'dropped bad feed input',
      );
    }
    if (frame.events.length > 0) {
      const gap = this.gaps.onEvents(frame.events);
      if (gap !== null) {
        this.log.info(
          { fromMs: gap.fromMs, toMs: gap.toMs, symbols: gap.symbols.length },
          'feed gap after reconnect',
        );
        try {
          this.listener.gap?.(gap);
        } catch (error) {
          this.listenerThrew('gap', error);
        }
      }
    }
    try {
      this.listener.frame(frame);
    } catch (error) {
      this.listenerThrew('frame', error);
    }
  }

  fatal(error: MassiveError): void {
    try {
      this.listener.fatal?.(error);
    } catch (listenerError) {
      this.listenerThrew('fatal', listenerError);
    }
  }

  private listenerThrew(what: keyof FeedListener, error: unknown): void {
    this.rateLog.warn(
      `listener:${what}`,
      { err: error },
      `feed listener ${what}() threw; the socket keeps running`,
    );
  }
}
