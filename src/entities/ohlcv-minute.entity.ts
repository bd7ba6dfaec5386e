import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bigintNumber, decimalText } from './decimal.transformer';
import { SymbolEntity } from './symbol.entity';

/**
 * One exact 1-minute OHLCV bar (table name and columns are the legacy contract).
 * `timestamp` is the minute start. The extra columns make merges exact and idempotent:
 * `open_second`/`close_second` say which second the open and close came from (so an
 * out-of-order or later-arriving second lands in the right place), and `seconds_mask` has bit
 * n set when second n of the minute is already counted (so a re-delivered second is ignored).
 */
@Entity({ name: 'ohlcv_1min' })
export class OhlcvMinuteEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  symbol!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ type: 'numeric', transformer: decimalText })
  open!: string;

  @Column({ type: 'numeric', transformer: decimalText })
  high!: string;

  @Column({ type: 'numeric', transformer: decimalText })
  low!: string;

  @Column({ type: 'numeric', transformer: decimalText })
  close!: string;

  @Column({ type: 'bigint', transformer: bigintNumber })
  volume!: number;

  /** Volume-weighted average price of the minute, when the feed supplied one. */
  @Column({ type: 'numeric', nullable: true, transformer: decimalText })
  vwap!: string | null;

  @Column({ name: 'open_second', type: 'smallint', default: 0 })
  openSecond!: number;

  @Column({ name: 'close_second', type: 'smallint', default: 59 })
  closeSecond!: number;

  /** 60-bit mask as decimal text (it does not fit a JS number exactly). */
  @Column({ name: 'seconds_mask', type: 'bigint', default: 0, transformer: decimalText })
  secondsMask!: string;

  @ManyToOne(() => SymbolEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'symbol' })
  symbolRef?: SymbolEntity;
}
