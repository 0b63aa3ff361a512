/**
 * Ad-hoc SQL over the archive with embedded DuckDB (the seed's Presto role):
 * view `pins_raw` over the raw zone (gzip NDJSON, as received) and view
 * `pins` over the curated Parquet, both with their `dt` (and `hour`) hive
 * partitions as columns.
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";

/** A query's answer. */
export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** Views created (a zone without files has no view). */
  views: string[];
}

async function _hasFiles(dir: string, suffix: string): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(suffix)) return true;
      if (entry.isDirectory && await _hasFiles(`${dir}/${entry.name}`, suffix)) return true;
    }
  } catch {
    return false;
  }
  return false;
}

function _quote(path: string): string {
  return `'${path.replaceAll("'", "''")}'`;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

function _numberIfSafe(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const number = Number(value);
  return Number.isFinite(number) && Math.abs(number) <= Number.MAX_SAFE_INTEGER ? number : value;
}

/**
 * Runs one SQL statement over the archive at `root`.
 *
 * @param root A directory holding `pins/...` and `curated/...` as in the archive.
 * @param sql The statement.
 * @returns Columns and rows as JSON values (numbers when exact, else strings; lists as arrays).
 * @throws The engine's error, whose message names what is wrong in the SQL.
 */
export async function queryArchive(root: string, sql: string): Promise<QueryResult> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const views: string[] = [];
  try {
    if (await _hasFiles(`${root}/pins`, ".ndjson.gz")) {
      await connection.run(`CREATE VIEW pins_raw AS SELECT * FROM read_ndjson(
        ${_quote(`${root}/pins/dt=*/hour=*/*.ndjson.gz`)},
        hive_partitioning = true, union_by_name = true, ignore_errors = true)`);
      views.push("pins_raw");
    }
    if (await _hasFiles(`${root}/curated`, ".parquet")) {
      await connection.run(`CREATE VIEW pins AS SELECT * FROM read_parquet(
        ${
        _quote(`${root}/curated/dt=*/*.parquet`)
      }, hive_partitioning = true, union_by_name = true)`);
      views.push("pins");
    }
    const reader = await connection.runAndReadAll(sql);
    const columns = reader.columnNames();
    const numeric = reader.columnTypes().map((type) => NUMERIC.test(type.toString()));
    const rows = reader.getRowsJson().map((row) =>
      row.map((value, column) => (numeric[column] ? _numberIfSafe(value) : value))
    );
    return { columns, rows, views };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
