/** A table as the catalog describes it: what schema adoption and the start-up reports read. */

export interface ColumnShape {
  name: string;
  /** pg_type.typname: varchar, text, numeric, int8, timestamptz, … */
  baseType: string;
  /** format_type(): `character varying(20)`, `numeric`, … */
  type: string;
  notNull: boolean;
  hasDefault: boolean;
}

export interface IndexShape {
  name: string;
  primary: boolean;
  unique: boolean;
  valid: boolean;
  partial: boolean;
  expressions: boolean;
  definition: string;
  /** Key columns in order (INCLUDE columns not among them). */
  keyColumns: string[];
  includeColumns: string[];
  bytes: number;
}

export interface ConstraintShape {
  name: string;
  /** pg_constraint.contype: p, u, f, c, x. */
  kind: string;
  validated: boolean;
  definition: string;
  /** The referenced table of a foreign key. */
  references: string | null;
  columns: string[];
}

export interface TableShape {
  name: string;
  exists: boolean;
  columns: ColumnShape[];
  indexes: IndexShape[];
  constraints: ConstraintShape[];
  /** A TimescaleDB hypertable. */
  hypertable: boolean;
}
