import { describeConflicts, type SchemaConflict } from './adoption-plan';

/**
 * An existing table has a shape TickStock cannot adopt. Raised by the read-only preflight,
 * before any statement changes the database; the message names every table and conflict.
 */
export class SchemaConflictError extends Error {
  constructor(readonly conflicts: readonly SchemaConflict[]) {
    super(
      `TickStock cannot adopt this database, nothing was changed: ${describeConflicts(conflicts)}. ` +
        'Rename or move the conflicting table(s), or point DATABASE_URL at another database.',
    );
    this.name = 'SchemaConflictError';
  }
}
