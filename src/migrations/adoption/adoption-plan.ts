import type { TableShape } from '../../domain/table-shape';
import type { TableSpec } from './tickstock-tables';

/** Why an existing table cannot be adopted. */
export interface SchemaConflict {
  table: string;
  problem: string;
}

/** What the schema migration does to one table. */
export interface TablePlan {
  table: string;
  action: 'create' | 'adopt' | 'keep';
  statements: string[];
  /** Columns TickStock added to an adopted table. */
  addedColumns: string[];
  /** Constraints added NOT VALID, validated by the next migration (its own transaction). */
  toValidate: string[];
  /** Columns of an adopted table TickStock neither reads nor writes; left as they are. */
  foreignColumns: string[];
  notes: string[];
}

export interface SchemaPlan {
  tables: TablePlan[];
  conflicts: SchemaConflict[];
}

/**
 * Pure: from the catalog's view of each table, what must be created, what an existing table
 * needs added (only metadata-level changes: columns with constant defaults, constraints NOT
 * VALID), and every reason a table cannot be adopted. Nothing existing is altered or dropped.
 */
export function planSchema(specs: readonly TableSpec[], shapes: readonly TableShape[]): SchemaPlan {
  const plan: SchemaPlan = { tables: [], conflicts: [] };
  for (const spec of specs) {
    const shape = shapes.find((s) => s.name === spec.name);
    if (shape === undefined || !shape.exists) {
      plan.tables.push({
        table: spec.name,
        action: 'create',
        statements: [...spec.create],
        addedColumns: [],
        toValidate: [],
        foreignColumns: [],
        notes: [],
      });
      continue;
    }
    const { table, conflicts } = planAdoption(spec, shape);
    plan.tables.push(table);
    plan.conflicts.push(...conflicts);
  }
  return plan;
}

function planAdoption(
  spec: TableSpec,
  shape: TableShape,
): { table: TablePlan; conflicts: SchemaConflict[] } {
  const conflicts: SchemaConflict[] = [];
  const conflict = (problem: string) => conflicts.push({ table: spec.name, problem });
  const byName = new Map(shape.columns.map((c) => [c.name, c]));
  const statements: string[] = [];
  const addColumns: string[] = [];
  const afterAdd: string[] = [];
  const addedColumns: string[] = [];
  const notes: string[] = [];

  const missing: string[] = [];
  for (const column of spec.columns) {
    const existing = byName.get(column.name);
    if (existing === undefined) {
      if (column.add === null) missing.push(column.name);
      else {
        addColumns.push(`ADD COLUMN ${column.add}`);
        if (column.afterAdd) afterAdd.push(column.afterAdd);
        addedColumns.push(column.name);
      }
      continue;
    }
    if (!column.types.includes(existing.baseType)) {
      conflict(
        `column ${column.name} is ${existing.type}; TickStock needs ${column.types.join(' or ')}`,
      );
    }
    if (column.notNull && !existing.notNull && column.add !== null) {
      conflict(`column ${column.name} allows NULL; TickStock needs it NOT NULL`);
    }
    if (column.mustHaveDefault && !existing.hasDefault) {
      conflict(`column ${column.name} has no default; TickStock never writes it`);
    }
  }
  if (missing.length > 0) {
    conflict(
      `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (it has ${shape.columns
        .map((c) => c.name)
        .join(', ')}): a table of another design`,
    );
  }

  const known = new Set(spec.columns.map((c) => c.name));
  const foreign = shape.columns.filter((c) => !known.has(c.name));
  for (const column of foreign) {
    if (column.notNull && !column.hasDefault) {
      conflict(
        `column ${column.name} is NOT NULL without a default; TickStock's inserts cannot fill it`,
      );
    }
  }

  const keySet = [...spec.conflictKey].sort().join(',');
  const hasKey = shape.indexes.some(
    (ix) =>
      ix.unique &&
      ix.valid &&
      !ix.partial &&
      !ix.expressions &&
      [...ix.keyColumns].sort().join(',') === keySet,
  );
  if (!hasKey) {
    conflict(`no unique index on (${spec.conflictKey.join(', ')}), which TickStock's upserts need`);
  }

  if (addColumns.length > 0) statements.push(`ALTER TABLE ${spec.name} ${addColumns.join(', ')}`);
  statements.push(...afterAdd);

  const toValidate: string[] = [];
  for (const constraint of spec.constraints) {
    if (constraint.plainTableOnly && shape.hypertable) {
      notes.push(`hypertable: ${constraint.name} not added`);
      continue;
    }
    if (hasEquivalentConstraint(shape, constraint.name, constraint.body)) continue;
    statements.push(
      `ALTER TABLE ${spec.name} ADD CONSTRAINT ${constraint.name} ${constraint.body} NOT VALID`,
    );
    toValidate.push(constraint.name);
  }

  for (const index of spec.indexes) {
    const wanted = index.columns.join(',');
    if (shape.indexes.some((ix) => ix.keyColumns.join(',') === wanted && !ix.partial)) continue;
    statements.push(`CREATE INDEX ${index.name} ON ${spec.name} (${index.columns.join(', ')})`);
  }
  if (shape.hypertable) notes.push('TimescaleDB hypertable: kept as it is');

  return {
    table: {
      table: spec.name,
      action: statements.length > 0 ? 'adopt' : 'keep',
      statements,
      addedColumns,
      toValidate,
      foreignColumns: foreign.map((c) => c.name),
      notes,
    },
    conflicts,
  };
}

/**
 * A constraint of that name, or for a foreign key any foreign key of the same columns onto the
 * same table (the old schema's is unnamed in its DDL and named by PostgreSQL).
 */
function hasEquivalentConstraint(shape: TableShape, name: string, body: string): boolean {
  if (shape.constraints.some((c) => c.name === name)) return true;
  const fk = /^FOREIGN KEY \(([^)]+)\) REFERENCES (\w+)/.exec(body);
  if (fk === null) return false;
  const [, columns, target] = fk;
  return shape.constraints.some(
    (c) => c.kind === 'f' && c.columns.join(', ') === columns && c.references === target,
  );
}

/** One operator-facing line listing every conflict. */
export function describeConflicts(conflicts: readonly SchemaConflict[]): string {
  return conflicts.map((c) => `table "${c.table}": ${c.problem}`).join('; ');
}
