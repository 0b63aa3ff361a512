/**
 * The curated Parquet as a Trino table: `hive.<schema>.pins`, an external
 * table over `s3://<bucket>/curated/` partitioned by `dt` (a DATE, as in
 * `deno task query`), its columns derived from `CLEAN_COLUMNS`. Registering
 * is idempotent; the partition sync picks up days written since.
 * `ops/trino/sql/curated_pins.sql` is {@linkcode curatedTableScript} for the
 * default bucket (a unit test keeps them equal).
 *
 * @module
 */

import { CURATED_PREFIX } from "../archive/archive_key.ts";
import { columnDefinitions, type ColumnType } from "../pin/clean_columns.ts";

/** Trino's spelling of each logical column type, as the Hive connector reads the Parquet. */
export const TRINO_TYPES: Readonly<Record<ColumnType, string>> = {
  text: "varchar",
  instant: "timestamp(3)",
  integer: "bigint",
  text_list: "array(varchar)",
  media_type: "varchar",
};

/** Where the curated table is registered and what it reads. */
export interface CuratedTableOptions {
  /** The Hive catalog (default `hive`, ops/trino/catalog/hive.properties). */
  catalog?: string;
  /** The schema holding table `pins` (default `curated`). */
  schema?: string;
  /** The archive's bucket (S3_BUCKET). */
  bucket: string;
}

const _IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const _BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Where the curated table of a bucket reads its files.
 *
 * @param bucket The archive's bucket.
 * @returns `s3://<bucket>/curated`.
 */
export function curatedLocation(bucket: string): string {
  return `s3://${bucket}/${CURATED_PREFIX.slice(0, -1)}`;
}

/**
 * The statements that register the curated Parquet in Trino: the schema, the
 * external table, and the sync of its `dt=` partitions.
 *
 * @param options Catalog, schema and bucket.
 * @returns The statements, in order, without trailing semicolons.
 * @throws {RangeError} When the catalog or schema is not a plain lower-case identifier, or the bucket is not a bucket name.
 */
export function curatedTableStatements(options: CuratedTableOptions): string[] {
  const { catalog = "hive", schema = "curated", bucket } = options;
  for (const [what, value] of [["catalog", catalog], ["schema", schema]]) {
    if (!_IDENTIFIER.test(value!)) {
      throw new RangeError(
        `Cannot register the curated table: ${what} '${value}' is not a lower-case identifier`,
      );
    }
  }
  if (!_BUCKET.test(bucket)) {
    throw new RangeError(`Cannot register the curated table: '${bucket}' is not a bucket name`);
  }
  const columns = [...columnDefinitions(TRINO_TYPES).split(", "), "dt date"];
  return [
    `CREATE SCHEMA IF NOT EXISTS ${catalog}.${schema}`,
    `CREATE TABLE IF NOT EXISTS ${catalog}.${schema}.pins (\n${
      columns.map((column) => `  ${column}`).join(",\n")
    }\n)\nWITH (\n  external_location = '${
      curatedLocation(bucket)
    }',\n  format = 'PARQUET',\n  partitioned_by = ARRAY['dt']\n)`,
    `CALL ${catalog}.system.sync_partition_metadata('${schema}', 'pins', 'FULL')`,
  ];
}

/**
 * {@linkcode curatedTableStatements} as a SQL script for the Trino CLI, with a header.
 *
 * @param options Catalog, schema and bucket.
 * @returns The script's text.
 */
export function curatedTableScript(options: CuratedTableOptions): string {
  const header = [
    `-- Registers the batch's curated Parquet (s3://${options.bucket}/curated/dt=YYYY-MM-DD/*.parquet)`,
    "-- as a table partitioned by dt, then picks up every day present. Run it again after new days",
    "-- land (or call only the procedure):",
    "--   docker compose exec trino trino --file /etc/trino/sql/curated_pins.sql",
    "-- Generated from lib/query/trino_curated.ts (columns: CLEAN_COLUMNS); a unit test keeps",
    "-- them equal. `deno task query --engine trino` runs the same statements before its query.",
  ];
  return `${header.join("\n")}\n${
    curatedTableStatements(options).map((statement) => `${statement};\n`).join("\n")
  }`;
}
