/**
 * The Cassandra schema of the history store, as ordered idempotent
 * migrations recorded in `schema_migrations`.
 *
 * Partition keys bound partition sizes: cleaned rows by (batch day,
 * bucket of 16), per-batch-day contributions by batch day, year views by
 * event-time year (≤ 366 days × categories × contributing batch days),
 * profile days by (category, poster), profile totals by category, leases
 * by what they lease (a day, or `profiles/<category>`).
 *
 * The `pins` table's columns come from `CLEAN_COLUMNS`; a column added there
 * later also needs a migration that adds it to existing tables.
 *
 * @module
 */

import { columnDefinitions, type ColumnType } from "../pin/clean_columns.ts";

/** Buckets per batch day of the `pins` table. */
export const PIN_BUCKETS = 16;

/** The CQL type of each logical column type. */
const CQL_TYPES: Readonly<Record<ColumnType, string>> = {
  text: "text",
  instant: "timestamp",
  integer: "bigint",
  text_list: "list<text>",
  media_type: "text",
};

/** `[version, description, statements]`, applied in order. */
export const CASSANDRA_MIGRATIONS: ReadonlyArray<readonly [number, string, readonly string[]]> = [
  [1, "cleaned rows", [
    `CREATE TABLE IF NOT EXISTS pins (dt text, bucket int, ${columnDefinitions(CQL_TYPES)},
      PRIMARY KEY ((dt, bucket), event_id))`,
  ]],
  [2, "aggregates: per-batch-day contributions and derived views", [
    `CREATE TABLE IF NOT EXISTS day_categories (dt text, event_date text, category text, pins bigint,
      PRIMARY KEY ((dt), event_date, category))`,
    `CREATE TABLE IF NOT EXISTS day_media (dt text, event_date text, media_type text, pins bigint,
      PRIMARY KEY ((dt), event_date, media_type))`,
    `CREATE TABLE IF NOT EXISTS day_profiles (dt text, category text, poster_name text, pins bigint,
      follower_count bigint, PRIMARY KEY ((dt), category, poster_name))`,
    `CREATE TABLE IF NOT EXISTS year_categories (year int, event_date text, category text, dt text,
      pins bigint, PRIMARY KEY ((year), event_date, category, dt))`,
    `CREATE TABLE IF NOT EXISTS year_media (year int, event_date text, media_type text, dt text,
      pins bigint, PRIMARY KEY ((year), event_date, media_type, dt))`,
    `CREATE TABLE IF NOT EXISTS profile_days (category text, poster_name text, dt text, pins bigint,
      follower_count bigint, PRIMARY KEY ((category, poster_name), dt))`,
    `CREATE TABLE IF NOT EXISTS category_profiles (category text, poster_name text, pins bigint,
      follower_count bigint, PRIMARY KEY ((category), poster_name))`,
  ]],
  [3, "batch runs", [
    `CREATE TABLE IF NOT EXISTS batch_runs (day text PRIMARY KEY, status text, inputs text,
      rows_in bigint, valid bigint, invalid bigint, duplicates bigint, rows_out bigint,
      duration_ms bigint, finished_at timestamp, error text)`,
  ]],
  [4, "batch runs: what the cleaning made null (JSON)", [
    `ALTER TABLE batch_runs ADD IF NOT EXISTS nulled text`,
  ]],
  [5, "leases: who may write a batch day, or a section of shared aggregates", [
    `CREATE TABLE IF NOT EXISTS batch_leases (name text PRIMARY KEY, holder text,
      renewed_at timestamp)`,
  ]],
];
