import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SchemaRepository } from '../repositories/schema.repository';
import {
  DAY_ROLLUP_FUNCTIONS,
  DAY_ROLLUP_TABLES,
  DAY_ROLLUP_TRIGGERS,
  DROP_DAY_ROLLUP,
} from './day-rollup-ddl';

/**
 * The daily roll-up tables and the triggers that keep them exact (day-rollup-ddl.ts). New,
 * empty tables: on an adopted database nothing is rewritten, and days are materialized lazily
 * by the first read. On a TimescaleDB hypertable (which refuses triggers with transition
 * tables) the triggers are left out, and readers, finding none, roll up minutes as before.
 */
export class DailyRollups1764200000000 implements MigrationInterface {
  name = 'DailyRollups1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of [...DAY_ROLLUP_TABLES, ...DAY_ROLLUP_FUNCTIONS])
      await queryRunner.query(statement);
    const shape = await new SchemaRepository(queryRunner).tableShape('ohlcv_1min');
    if (shape.hypertable) return;
    for (const statement of DAY_ROLLUP_TRIGGERS) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of DROP_DAY_ROLLUP) await queryRunner.query(statement);
  }
}
