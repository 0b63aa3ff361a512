/**
 * The DuckDB schema of the embedded history store, as ordered migrations
 * recorded in `schema_migrations`; each is one transaction of statements
 * separated by `;`.
 *
 * The `pins` table's columns come from `CLEAN_COLUMNS`; a column added there
 * later also needs a migration that adds it to existing tables.
 *
 * @module
 */

import { columnDefinitions, DUCKDB_TYPES } from "../pin/clean_columns.ts";

/** `[version, description, statements]`, applied in order. */
export const EMBEDDED_MIGRATIONS: ReadonlyArray<readonly [number, string, string]> = [
  [
    1,
    "cleaned rows",
    `CREATE TABLE IF NOT EXISTS pins (dt DATE, ${columnDefinitions(DUCKDB_TYPES)})`,
  ],
  [
    2,
    "per-batch-day aggregates",
    `CREATE TABLE IF NOT EXISTS day_categories (dt DATE, event_date DATE,
    category VARCHAR, pins BIGINT, PRIMARY KEY (dt, event_date, category));
    CREATE TABLE IF NOT EXISTS day_media (dt DATE, event_date DATE, media_type VARCHAR, pins BIGINT,
    PRIMARY KEY (dt, event_date, media_type));
    CREATE TABLE IF NOT EXISTS day_profiles (dt DATE, category VARCHAR, poster_name VARCHAR, pins BIGINT,
    follower_count BIGINT, PRIMARY KEY (dt, category, poster_name))`,
  ],
  [
    3,
    "batch runs",
    `CREATE TABLE IF NOT EXISTS batch_runs (day DATE PRIMARY KEY, status VARCHAR,
    inputs VARCHAR, rows_in BIGINT, valid BIGINT, invalid BIGINT, duplicates BIGINT, rows_out BIGINT,
    duration_ms BIGINT, finished_at TIMESTAMP, error VARCHAR)`,
  ],
  [
    4,
    "batch runs: what the cleaning made null (JSON)",
    `ALTER TABLE batch_runs ADD COLUMN IF NOT EXISTS nulled VARCHAR`,
  ],
  [
    5,
    "per-batch-day aggregates without primary keys",
    ["day_categories", "day_media", "day_profiles"].map(withoutKey).join(";"),
  ],
];

/**
 * Recreates `table` with its rows but without its primary key. A day's aggregates are
 * replaced whole in one transaction (delete, then insert), so the key guarded nothing; its
 * index cost more than the rows: every insert probed it, and every checkpoint wrote it out
 * again whole.
 */
function withoutKey(table: string): string {
  return `CREATE TABLE ${table}_unkeyed AS SELECT * FROM ${table};
    DROP TABLE ${table};
    ALTER TABLE ${table}_unkeyed RENAME TO ${table}`;
}
