/**
 * The 60-bit "which seconds of this minute are counted" mask, kept in memory as two 30-bit
 * integers (a JS number is exact only to 2^53, and bitwise operators work on 32 bits), and sent
 * to PostgreSQL as decimal text for a BIGINT column. Bit n = second n of the minute.
 */

/** Bits 0–29 of either half. */
export const HALF_MASK = 0x3fffffff;
/** All 60 seconds, as stored in `ohlcv_1min.seconds_mask`. */
export const FULL_MINUTE_MASK_TEXT = ((1n << 60n) - 1n).toString();

/** Low half (seconds 0–29) bit of second `second`, 0 when the second is in the high half. */
export function lowBit(second: number): number {
  return second < 30 ? 1 << second : 0;
}

/** High half (seconds 30–59) bit of second `second`, 0 when the second is in the low half. */
export function highBit(second: number): number {
  return second >= 30 ? 1 << (second - 30) : 0;
}

/** The mask as decimal text for a BIGINT parameter. */
export function maskToText(lo: number, hi: number): string {
  return ((BigInt(hi) << 30n) | BigInt(lo)).toString();
}

/** Parses BIGINT text (e.g. `seconds_mask::text`) back into its two halves. */
export function maskFromText(text: string): { lo: number; hi: number } {
  const value = BigInt(text);
  return { lo: Number(value & BigInt(HALF_MASK)), hi: Number((value >> 30n) & BigInt(HALF_MASK)) };
}

/** Number of seconds set in a 30-bit half. */
export function bitCount(half: number): number {
  let v = half - ((half >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
