import type { ValueTransformer } from 'typeorm';

/** NUMERIC stays exact decimal text end to end: pg returns it as a string, we keep it so. */
export const decimalText: ValueTransformer = {
  to: (value: string | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : String(value)),
};

/** BIGINT as a JS number: share volumes stay far below 2^53 (pg returns a string, PGlite a number). */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
