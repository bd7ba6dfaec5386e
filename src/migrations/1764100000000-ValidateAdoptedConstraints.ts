import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SchemaRepository } from '../repositories/schema.repository';

/** Constraints the schema migration may have added NOT VALID to an adopted table. */
const ADOPTED_CONSTRAINTS = [
  ['ohlcv_1min', 'ohlcv_1min_symbol_fkey'],
  ['ohlcv_1min', 'ohlcv_1min_minute_start'],
  ['ohlcv_1min', 'ohlcv_1min_range'],
] as const;

/**
 * Validates, in a transaction of its own (after the schema migration committed and released
 * its exclusive lock), the constraints adoption added NOT VALID. VALIDATE scans the table under
 * SHARE UPDATE EXCLUSIVE: reads and writes continue. A constraint legacy rows violate (e.g.
 * off-minute rows, until `npm run db:repair` replaces them) stays NOT VALID, still enforced on
 * every new row. On a fresh database every constraint is valid already: a no-op.
 */
export class ValidateAdoptedConstraints1764100000000 implements MigrationInterface {
  name = 'ValidateAdoptedConstraints1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const catalog = new SchemaRepository(queryRunner);
    for (const [table, name] of ADOPTED_CONSTRAINTS) {
      const shape = await catalog.tableShape(table);
      const constraint = shape.constraints.find((c) => c.name === name);
      if (constraint === undefined || constraint.validated) continue;
      await catalog.validateConstraint(table, name, true);
    }
  }

  async down(): Promise<void> {
    // Validation is not undone: a valid constraint is what a fresh database has.
  }
}
