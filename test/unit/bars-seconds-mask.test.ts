import {
  FULL_MINUTE_MASK_TEXT,
  HALF_MASK,
  bitCount,
  highBit,
  lowBit,
  maskFromText,
  maskToText,
} from '../../src/domain/seconds-mask';

describe('seconds mask', () => {
  it('maps second n to bit n of a 60-bit BIGINT, exactly beyond 2^53', () => {
    expect(maskToText(lowBit(0), highBit(0))).toBe('1');
    expect(maskToText(lowBit(29), highBit(29))).toBe(String(2 ** 29));
    expect(maskToText(lowBit(30), highBit(30))).toBe(String(2 ** 30));
    expect(maskToText(lowBit(59), highBit(59))).toBe((1n << 59n).toString());
    expect(maskToText(HALF_MASK, HALF_MASK)).toBe(FULL_MINUTE_MASK_TEXT);
    expect(FULL_MINUTE_MASK_TEXT).toBe('1152921504606846975');
  });

  it('round-trips through text for every second', () => {
    for (let s = 0; s < 60; s++) {
      const text = maskToText(lowBit(s) | lowBit(0), highBit(s) | highBit(59));
      const { lo, hi } = maskFromText(text);
      expect(maskToText(lo, hi)).toBe(text);
      expect(bitCount(lo) + bitCount(hi)).toBe(s === 0 || s === 59 ? 2 : 3);
    }
  });

  it('counts bits of a half', () => {
    expect(bitCount(0)).toBe(0);
    expect(bitCount(HALF_MASK)).toBe(30);
    expect(bitCount(0b1011)).toBe(3);
  });
});
