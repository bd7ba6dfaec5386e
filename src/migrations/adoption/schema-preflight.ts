import { SchemaRepository, type SqlRunner } from '../../repositories/schema.repository';
import { planSchema, type SchemaPlan } from './adoption-plan';
import { SchemaConflictError } from './schema-conflict.error';
import { TICKSTOCK_TABLES } from './tickstock-tables';

/** The migration whose up() creates or adopts TickStock's tables. */
export const SCHEMA_MIGRATION_NAME = 'InitialSchema1764000000000';

/**
 * Reads the catalog (nothing else) and plans creation/adoption of TickStock's tables. Throws
 * SchemaConflictError, naming every conflict, when a table cannot be adopted.
 */
export async function preflightSchema(runner: SqlRunner): Promise<SchemaPlan> {
  const catalog = new SchemaRepository(runner);
  const shapes = [];
  for (const spec of TICKSTOCK_TABLES) shapes.push(await catalog.tableShape(spec.name));
  const plan = planSchema(TICKSTOCK_TABLES, shapes);
  if (plan.conflicts.length > 0) throw new SchemaConflictError(plan.conflicts);
  return plan;
}

/**
 * Before TypeORM touches anything (it creates its `migrations` table first): when the schema
 * migration has not run yet, the preflight decides whether this database can be adopted at all.
 * Returns the plan, or null when the schema is already TickStock's.
 */
export async function preflightBeforeMigrations(runner: SqlRunner): Promise<SchemaPlan | null> {
  if (await new SchemaRepository(runner).migrationRecorded(SCHEMA_MIGRATION_NAME)) return null;
  return preflightSchema(runner);
}
