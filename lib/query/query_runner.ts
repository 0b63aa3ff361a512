/**
 * Ad-hoc SQL over the archive with embedded DuckDB (the seed's Presto role):
 * view `pins_raw` over the raw zone (gzip NDJSON, as received), view `pins`
 * over the curated Parquet and view `pins_dlq` over the archived dead
 * letters, with their `dt` (and `hour`) hive partitions as columns (see
 * `archive_views.ts`).
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";
import type { ArchiveFiles } from "./archive_mirror.ts";
import { curatedViewSql, dlqViewSql, rawViewSql } from "./archive_views.ts";

/** A query's answer. */
export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  /** Views created (a zone without files has no view). */
  views: string[];
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

function _numberIfSafe(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const number = Number(value);
  return Number.isFinite(number) && Math.abs(number) <= Number.MAX_SAFE_INTEGER ? number : value;
}

/**
 * Runs one SQL statement over the archive's files.
 *
 * @param files The raw and curated files, from `mirrorArchive`.
 * @param sql The statement.
 * @returns Columns and rows as JSON values (numbers when exact, else strings; lists as arrays).
 * @throws The engine's error, whose message names what is wrong in the SQL.
 */
export async function queryArchive(files: ArchiveFiles, sql: string): Promise<QueryResult> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const views: string[] = [];
  try {
    if (files.raw.length > 0) {
      await connection.run(rawViewSql(files.raw));
      views.push("pins_raw");
    }
    if (files.curated.length > 0) {
      await connection.run(curatedViewSql(files.curated));
      views.push("pins");
    }
    if (files.dlq.length > 0) {
      await connection.run(dlqViewSql(files.dlq));
      views.push("pins_dlq");
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
