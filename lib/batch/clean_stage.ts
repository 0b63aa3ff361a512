/**
 * A batch day's cleaning: the pool's workers clean the raw objects
 * (`clean_lines.ts`, the stream's own rules), DuckDB reads their cleaned
 * NDJSON into a typed table and keeps one row per `event_id` in the temp
 * table `clean`.
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { CLEAN_COLUMN_NAMES, CLEAN_COLUMNS, DUCKDB_TYPES } from "../pin/clean_columns.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import { type LineCounts, orderNulled } from "./clean_lines.ts";
import type { CleanPool } from "./clean_pool.ts";

/** Line counts of one day's cleaning. */
export interface CleanCounts extends LineCounts {
  /** Valid events dropped because an earlier one had the same `event_id`. */
  duplicates: number;
  /** Rows in `clean`. */
  rowsOut: number;
}

// Largest cleaned line DuckDB reads: 13 text fields of 65,536 UTF-16 code units, each escaped
// at most 6 bytes a unit by JSON.stringify, stay under it.
const MAX_OBJECT_BYTES = 8 * 1024 * 1024;

/** Quotes a string as a SQL literal. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * A query reading cleaned NDJSON files as the typed columns of `CLEAN_COLUMNS`.
 *
 * @param files Local paths of NDJSON files of cleaned pins.
 * @returns The SQL.
 */
export function readCleanedSql(files: readonly string[]): string {
  if (files.length === 0) {
    const columns = CLEAN_COLUMNS.map((c) => `NULL::${DUCKDB_TYPES[c.type]} AS ${c.name}`);
    return `SELECT ${columns.join(", ")} WHERE false`;
  }
  const columns = CLEAN_COLUMNS.map((c) => `${c.name}: '${DUCKDB_TYPES[c.type]}'`).join(", ");
  return `SELECT ${CLEAN_COLUMN_NAMES.join(", ")} FROM read_json([${
    files.map(sqlString).join(", ")
  }], format = 'newline_delimited', columns = {${columns}}, maximum_object_size = ${MAX_OBJECT_BYTES})`;
}

/**
 * The query keeping one row per `event_id` of `cleaned`: the earliest
 * `received_at`, ties broken by the row's values, so the choice never
 * depends on file order. Only the rows of repeated ids go through the window.
 *
 * @returns `CREATE OR REPLACE TEMP TABLE clean AS ...`.
 */
export function dedupeSql(): string {
  const columns = CLEAN_COLUMN_NAMES.join(", ");
  return `CREATE OR REPLACE TEMP TABLE clean AS
WITH repeated AS (SELECT event_id FROM cleaned GROUP BY event_id HAVING count(*) > 1)
SELECT ${columns} FROM cleaned ANTI JOIN repeated USING (event_id)
UNION ALL
SELECT ${columns} FROM cleaned SEMI JOIN repeated USING (event_id)
QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at, ${columns}) = 1`;
}

/** What the workers made of a day's raw objects. */
export interface CleanedDay {
  /** The NDJSON files of cleaned pins, one per raw object. */
  outputs: string[];
  counts: LineCounts;
  /** Values the cleaning made null, in `NULL_OUTCOMES` order. */
  nulled: NulledCounts;
}

/**
 * Cleans a day's raw objects in the pool's workers.
 *
 * @param pool The cleaning workers.
 * @param files Local paths of the day's `.ndjson.gz` raw objects.
 * @param workDir The day's scratch directory, for the cleaned NDJSON.
 * @returns The cleaned files, the line counts and what the cleaning made null.
 */
export async function cleanFiles(
  pool: CleanPool,
  files: readonly string[],
  workDir: string,
): Promise<CleanedDay> {
  const outputs = files.map((_, i) => `${workDir}/clean-${String(i).padStart(6, "0")}.ndjson`);
  const { counts, nulled } = await pool.clean(files, outputs);
  return { outputs, counts, nulled: orderNulled(nulled) };
}

/**
 * Reads the cleaned files into the temp table `clean`, one row per `event_id`.
 *
 * @param connection The DuckDB connection.
 * @param cleaned What {@linkcode cleanFiles} made.
 * @returns The day's counts, duplicates and rows out included.
 */
export async function loadCleaned(
  connection: DuckDBConnection,
  cleaned: CleanedDay,
): Promise<CleanCounts> {
  const { outputs, counts } = cleaned;
  await connection.run(`CREATE OR REPLACE TEMP TABLE cleaned AS ${readCleanedSql(outputs)}`);
  const [repeated] = (await connection.runAndReadAll(
    `SELECT count(*)::INT FROM (SELECT event_id FROM cleaned GROUP BY event_id HAVING count(*) > 1)`,
  )).getRows()[0] as number[];
  if (repeated === 0) {
    await connection.run("DROP TABLE IF EXISTS clean");
    await connection.run("ALTER TABLE cleaned RENAME TO clean");
  } else {
    await connection.run(dedupeSql());
    await connection.run("DROP TABLE cleaned");
  }
  await Promise.all(outputs.map((output) => Deno.remove(output).catch(() => {})));
  const [rowsOut] = (await connection.runAndReadAll("SELECT count(*)::INT FROM clean"))
    .getRows()[0] as number[];
  return { ...counts, duplicates: counts.valid - rowsOut!, rowsOut: rowsOut! };
}
