import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A ticker seen on the feed; registered automatically on first sight. */
@Entity({ name: 'symbols' })
export class SymbolEntity {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  symbol!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name!: string | null;

  @CreateDateColumn({ name: 'first_seen', type: 'timestamptz' })
  firstSeen!: Date;
}
