import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { decimalText } from './decimal.transformer';

export type PatternDirection = 'bullish' | 'bearish' | 'reversal' | 'neutral';

/** A detected pattern event. (symbol, pattern, timestamp) is unique: a pattern fires once per bar/tick. */
@Entity({ name: 'patterns' })
@Index('patterns_symbol_pattern_timestamp_key', ['symbol', 'pattern', 'timestamp'], {
  unique: true,
})
@Index('patterns_timestamp_idx', ['timestamp'])
export class PatternEntity {
  /** bigserial, as text (pg returns bigint as a string). */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  symbol!: string;

  @Column({ type: 'varchar', length: 40 })
  pattern!: string;

  @Column({ type: 'varchar', length: 10 })
  direction!: PatternDirection;

  @Column({ type: 'real' })
  confidence!: number;

  @Column({ type: 'numeric', transformer: decimalText })
  price!: string;

  /** Relative change in percent that the rule measured (e.g. the gap size). */
  @Column({ name: 'price_change', type: 'real' })
  priceChange!: number;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'jsonb' })
  indicators!: Record<string, number>;

  @Column({ type: 'varchar', length: 20, default: 'tickstock' })
  source!: string;
}
