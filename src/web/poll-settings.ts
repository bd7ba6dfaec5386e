/** The poll interval: 1–5 s, default 2 s (PRODUCT.md §5); chosen by URL, page meta, or default. */

export const POLL_MIN_MS = 1000;
export const POLL_MAX_MS = 5000;
export const POLL_DEFAULT_MS = 2000;
export const POLL_CHOICES_MS: readonly number[] = [1000, 2000, 3000, 5000];

/** A valid interval from text, or null when absent or not a number. Out-of-range values are clamped. */
export function parsePollMs(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  const value = Number(raw);
  if (!Number.isFinite(value)) return null;
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, Math.round(value)));
}

/**
 * `?poll=` (a bookmark or a test) beats `<meta name="poll-ms">` (the server may write POLL_MS
 * there), which beats the default.
 */
export function resolvePollMs(urlValue: string | null, metaValue: string | null): number {
  return parsePollMs(urlValue) ?? parsePollMs(metaValue) ?? POLL_DEFAULT_MS;
}

/** The choices for the select, including a configured value that is not one of the presets. */
export function pollChoices(current: number): number[] {
  return [...new Set([...POLL_CHOICES_MS, current])].sort((a, b) => a - b);
}
