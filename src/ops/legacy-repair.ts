import { MINUTE_MS, type MinuteBar } from '../domain/minute-bar';
import type { BarKey } from '../domain/bar-delta';
import type { LegacyRowsRepository, OffMinuteGroup } from '../repositories/legacy-rows.repository';

/** What `db:repair` reads and writes through (the ohlcv repository and the REST client). */
export interface LegacyRepairDeps {
  rows: Pick<LegacyRowsRepository, 'offMinuteTotals' | 'offMinutePage' | 'replaceOffMinuteRows'>;
  fetchMinuteBars(symbol: string, fromMs: number, toMs: number): Promise<MinuteBar[]>;
  /** Called after each committed step with the running totals. */
  onProgress?(progress: RepairProgress): void;
}

export interface RepairProgress {
  /** (symbol, minute) pairs with off-minute rows when the run began. */
  totalMinutes: number;
  doneMinutes: number;
  rowsDeleted: number;
  barsWritten: number;
  /** Minutes REST had no bar for: their rows stay (nothing better to put there). */
  unresolvedMinutes: number;
}

export interface RepairResult extends RepairProgress {
  apply: boolean;
  totalRows: number;
  symbols: number;
}

/** Symbol-minutes read per page, and the longest REST range one request asks for. */
const PAGE = 2_000;
const MAX_RANGE_MINUTES = 5 * 24 * 60;

/**
 * Replaces the old writer's off-minute rows (keyed by a second's window end, so not minute bars)
 * with proper minute bars from the REST aggregates. Dry run: counts only, no request, no write.
 * Apply: per symbol and stretch of minutes, one REST fetch, then one transaction deleting those
 * rows and writing the REST bars authoritatively (all 60 seconds counted). Each step commits,
 * so an interrupted run resumes where it stopped; a repeated run finds nothing left to replace.
 */
export async function repairOffMinuteRows(
  deps: LegacyRepairDeps,
  options: { apply: boolean },
): Promise<RepairResult> {
  const totals = await deps.rows.offMinuteTotals();
  const progress: RepairProgress = {
    totalMinutes: totals.minutes,
    doneMinutes: 0,
    rowsDeleted: 0,
    barsWritten: 0,
    unresolvedMinutes: 0,
  };
  const result = (): RepairResult => ({
    ...progress,
    apply: options.apply,
    totalRows: totals.rows,
    symbols: totals.symbols,
  });
  if (!options.apply || totals.rows === 0) return result();

  let after: BarKey | null = null;
  for (;;) {
    const page = await deps.rows.offMinutePage(after, PAGE);
    if (page.length === 0) break;
    for (const stretch of stretches(page)) {
      const first = stretch[0];
      const last = stretch[stretch.length - 1];
      const fetched = await deps.fetchMinuteBars(
        first.symbol,
        first.minuteStartMs,
        last.minuteStartMs,
      );
      const wanted = new Set(stretch.map((g) => g.minuteStartMs));
      const bars = fetched.filter((bar) => wanted.has(bar.minuteStartMs));
      const have = new Set(bars.map((bar) => bar.minuteStartMs));
      const replaced = stretch.filter((g) => have.has(g.minuteStartMs));
      const { deleted, written } = await deps.rows.replaceOffMinuteRows(
        first.symbol,
        replaced.flatMap((g) => g.rowTimestampsMs),
        bars,
      );
      progress.doneMinutes += stretch.length;
      progress.rowsDeleted += deleted;
      progress.barsWritten += written;
      progress.unresolvedMinutes += stretch.length - replaced.length;
      deps.onProgress?.({ ...progress });
    }
    const end = page[page.length - 1];
    after = { symbol: end.symbol, minuteStartMs: end.minuteStartMs };
  }
  return result();
}

/** Splits a page into runs of one symbol spanning at most MAX_RANGE_MINUTES (one REST range each). */
function stretches(page: readonly OffMinuteGroup[]): OffMinuteGroup[][] {
  const out: OffMinuteGroup[][] = [];
  let current: OffMinuteGroup[] = [];
  for (const group of page) {
    const head = current[0];
    if (
      head !== undefined &&
      (head.symbol !== group.symbol ||
        group.minuteStartMs - head.minuteStartMs >= MAX_RANGE_MINUTES * MINUTE_MS)
    ) {
      out.push(current);
      current = [];
    }
    current.push(group);
  }
  if (current.length > 0) out.push(current);
  return out;
}
