/**
 * Catalog reads for schema adoption and the start-up reports. Tables are resolved through the
 * search_path (`to_regclass`), as the app's unqualified statements are. Lists come back as
 * comma-joined text so neither pg nor PGlite has to parse `name[]`.
 */

/** Columns of table `$1` (none when it does not exist). */
export const TABLE_COLUMNS_SQL = `
SELECT a.attname AS name, t.typname AS base_type, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** Indexes of table `$1`: key columns (in order), included columns, and the flags that matter. */
export const TABLE_INDEXES_SQL = `
SELECT i.relname AS name, ix.indisprimary AS is_primary, ix.indisunique AS is_unique,
       ix.indisvalid AS is_valid, (ix.indpred IS NOT NULL) AS is_partial,
       (ix.indexprs IS NOT NULL) AS has_expressions, pg_get_indexdef(ix.indexrelid) AS definition,
       (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
         WHERE k.ord <= ix.indnkeyatts) AS key_columns,
       (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
         WHERE k.ord > ix.indnkeyatts) AS include_columns,
       pg_relation_size(ix.indexrelid)::text AS bytes
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
WHERE ix.indrelid = to_regclass($1::text)
ORDER BY i.relname`;

/** Constraints of table `$1`; `references` is the referenced table of a foreign key. */
export const TABLE_CONSTRAINTS_SQL = `
SELECT c.conname AS name, c.contype AS kind, c.convalidated AS validated,
       pg_get_constraintdef(c.oid) AS definition,
       CASE WHEN c.confrelid <> 0 THEN c.confrelid::regclass::text END AS "references",
       (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns
FROM pg_constraint c
WHERE c.conrelid = to_regclass($1::text)
ORDER BY c.conname`;

/** The installed TimescaleDB version, if any. */
export const TIMESCALE_INSTALLED_SQL = `SELECT extversion AS version FROM pg_extension WHERE extname = 'timescaledb'`;

/** Whether the server could install TimescaleDB. */
export const TIMESCALE_AVAILABLE_SQL = `SELECT 1 AS available FROM pg_available_extensions WHERE name = 'timescaledb'`;

/** Only run when TimescaleDB is installed (the view exists only then). */
export const IS_HYPERTABLE_SQL = `SELECT 1 AS yes FROM timescaledb_information.hypertables WHERE hypertable_name = $1`;

/** Whether TypeORM's migrations table exists (it is created by the first migration run). */
export const MIGRATIONS_TABLE_EXISTS_SQL = `SELECT to_regclass('migrations') IS NOT NULL AS present`;

/** Whether migration `$1` is recorded (only when the table exists: the name is resolved at parse time). */
export const MIGRATION_RECORDED_SQL = `SELECT EXISTS (SELECT 1 FROM migrations WHERE name = $1) AS recorded`;

/** Rows of ohlcv_1min whose timestamp is not a minute start (the old writer keyed by second end). */
export const COUNT_OFF_MINUTE_SQL = `SELECT count(*)::text AS n FROM ohlcv_1min WHERE date_trunc('minute', "timestamp") <> "timestamp"`;

/** Validates constraint `name` of `table` (identifiers are checked by the caller). */
export const validateConstraintSql = (table: string, name: string): string =>
  `ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}`;

/**
 * Drops an index without blocking writes (CONCURRENTLY: never inside a transaction). The name
 * is checked by the caller.
 */
export const dropIndexSql = (name: string): string => `DROP INDEX CONCURRENTLY IF EXISTS ${name}`;
