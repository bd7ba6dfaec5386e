import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SchemaRepository } from '../repositories/schema.repository';
import { preflightSchema } from './adoption/schema-preflight';

/**
 * symbols, ohlcv_1min and patterns: created on an empty database; on the old system's database
 * the existing tables are adopted in place (see adoption/adoption-plan.ts): only columns with
 * constant defaults and NOT VALID constraints are added, so no row is rewritten and the
 * exclusive lock lasts milliseconds; foreign columns and indexes stay. The bars table of a
 * fresh database has exactly one index, its primary key (symbol, timestamp): every bar query is
 * "one symbol, a time range, newest first", which that index answers by a backward range scan.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const plan = await preflightSchema(queryRunner);
    const adopting = plan.tables.some((t) => t.action !== 'create');
    // Adopting a live database: give up rather than queue behind a long query of the old
    // system while holding every other session up behind our lock request.
    if (adopting) await queryRunner.query(`SET LOCAL lock_timeout = '10s'`);
    for (const table of plan.tables) {
      for (const statement of table.statements) await queryRunner.query(statement);
    }
    const ohlcv = plan.tables.find((t) => t.table === 'ohlcv_1min');
    if (ohlcv?.action === 'create') await makeHypertableWhenAvailable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE patterns`);
    await queryRunner.query(`DROP TABLE ohlcv_1min`);
    await queryRunner.query(`DROP TABLE symbols`);
  }
}

/**
 * TimescaleDB when the server has it (a real PostgreSQL with the extension); a plain table
 * otherwise. Only for a table created here: converting an adopted table would copy every row.
 */
async function makeHypertableWhenAvailable(queryRunner: QueryRunner): Promise<void> {
  if (!(await new SchemaRepository(queryRunner).timescaleAvailable())) return;
  await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
  await queryRunner.query(
    `SELECT create_hypertable('ohlcv_1min', 'timestamp', chunk_time_interval => interval '1 day', migrate_data => true)`,
  );
}
