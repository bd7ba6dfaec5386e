import type { IngestCounters } from '../domain/status';
import { REJECT_REASONS, type RejectReason } from '../domain/tick';

/** Counters of the tick path. Plain fields: incremented synchronously in handleTick, read by /api/stats. */
export class IngestStats {
  framesReceived = 0;
  /** Events seen in frames, valid or not. */
  ticksReceived = 0;
  /** Valid ticks that went through handleTick. */
  ticksProcessed = 0;
  ticksRejected = 0;
  readonly rejectedByReason: Record<RejectReason, number> = Object.fromEntries(
    REJECT_REASONS.map((reason) => [reason, 0]),
  ) as Record<RejectReason, number>;
  /** Feed time (window end) of the newest tick, and the local time it arrived. */
  lastTickEndMs = 0;
  lastTickReceivedAtMs = 0;

  reject(reason: RejectReason): void {
    this.ticksRejected++;
    this.rejectedByReason[reason]++;
  }

  /** One feed frame: its data elements (valid or not) and the reasons of those rejected. */
  countFrame(dataCount: number, rejects: readonly { reason: RejectReason }[]): void {
    this.framesReceived++;
    this.ticksReceived += dataCount;
    for (let i = 0; i < rejects.length; i++) this.reject(rejects[i].reason);
  }

  /** The `ingest` block of the status snapshot. */
  status(): IngestCounters {
    return {
      framesReceived: this.framesReceived,
      ticksReceived: this.ticksReceived,
      ticksProcessed: this.ticksProcessed,
      ticksRejected: this.ticksRejected,
      rejectedByReason: { ...this.rejectedByReason },
      lastTickAt: this.lastTickEndMs ? new Date(this.lastTickEndMs).toISOString() : null,
      /** Local receive time minus feed window end of the newest tick. */
      lagMs: this.lastTickEndMs ? this.lastTickReceivedAtMs - this.lastTickEndMs : null,
    };
  }
}
