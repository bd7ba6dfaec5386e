/** Display formatting, pure (locale-independent digits so tests and screenshots are stable). */

export function formatPrice(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 1 ? 2 : 4;
  return value.toFixed(digits);
}

export function formatInt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 950 → "950", 12_300 → "12.3K", 4_560_000 → "4.56M". */
export function formatCompact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}K`;
  return formatInt(value);
}

export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '–';
  return perSecond >= 100 ? formatInt(perSecond) : perSecond.toFixed(1);
}

/** A duration for humans: "350 ms", "4.2 s", "3 m 05 s", "2 h 10 m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return v % 1000 === 0 ? `${v / 1000} s` : `${(v / 1000).toFixed(1)} s`;
  const totalSeconds = Math.floor(v / 1000);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return h > 0 ? `${h} h ${m} m` : `${m} m ${String(s).padStart(2, '0')} s`;
}

/** Two latencies sharing one unit so they fit a small tile: "5 / 105 ms", "0.8 / 1.2 s". */
export function formatLatencyPair(aMs: number, bMs: number): string {
  if (!Number.isFinite(aMs) || !Number.isFinite(bMs)) return '–';
  if (Math.max(aMs, bMs) < 1000) return `${Math.round(aMs)} / ${Math.round(bMs)} ms`;
  return `${(aMs / 1000).toFixed(1)} / ${(bMs / 1000).toFixed(1)} s`;
}

export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${value > 0 ? '+' : ''}${value.toFixed(digits)}%`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Local wall-clock time of an instant, HH:MM:SS. */
export function formatClock(date: Date): string {
  if (Number.isNaN(date.getTime())) return '–';
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Local date and time, YYYY-MM-DD HH:MM. */
export function formatDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) return '–';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Confidence as a percentage; accepts a 0–1 fraction or an already-scaled 0–100 value. */
export function formatConfidence(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return `${Math.round(value <= 1 ? value * 100 : value)}%`;
}
