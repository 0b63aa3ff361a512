/**
 * The views of `deno task query`: `pins_raw` over the raw zone's gzip NDJSON
 * and `pins` over the curated Parquet, from the files the mirror found.
 *
 * @module
 */

function _string(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * The statement creating view `pins_raw` over raw-zone files.
 *
 * @param files Local paths of the raw objects (gzip NDJSON under `dt=…/hour=…/`); at least one.
 * @returns `CREATE VIEW pins_raw AS ...`.
 * @throws {RangeError} When `files` is empty.
 */
export function rawViewSql(files: readonly string[]): string {
  if (files.length === 0) {
    throw new RangeError("Cannot create view pins_raw without files: the raw zone is empty");
  }
  return `CREATE VIEW pins_raw AS SELECT * FROM read_ndjson([${files.map(_string).join(", ")}],
  hive_partitioning = true, union_by_name = true, ignore_errors = true)`;
}

/**
 * The statement creating view `pins` over curated Parquet files (their
 * columns are the batch's; days written by older batches are unioned by name).
 *
 * @param files Local paths of the curated objects (Parquet under `dt=…/`); at least one.
 * @returns `CREATE VIEW pins AS ...`.
 * @throws {RangeError} When `files` is empty.
 */
export function curatedViewSql(files: readonly string[]): string {
  if (files.length === 0) {
    throw new RangeError("Cannot create view pins without files: the curated zone is empty");
  }
  return `CREATE VIEW pins AS SELECT * FROM read_parquet([${files.map(_string).join(", ")}],
  hive_partitioning = true, union_by_name = true)`;
}
