/**
 * Runs the cleaning SQL of `clean_sql.ts` on one DuckDB connection: raw
 * NDJSON (gzip) files → table `parsed` (every line, classified) → table
 * `clean` (valid, cleaned, one row per `event_id`).
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { validatePinEvent } from "../pin/pin_event.ts";
import {
  CATEGORY_LOWER_TABLE,
  cleaningMacrosSql,
  dedupeSql,
  NON_ASCII_CATEGORIES_SQL,
  parseLinesSql,
  sqlString,
} from "./clean_sql.ts";

/** Line counts of one cleaning run. */
export interface CleanCounts {
  /** Non-blank lines read. */
  rowsIn: number;
  /** Lines that are not JSON. */
  badJson: number;
  /** JSON lines that are not valid pin events (with `event_id` and `received_at`). */
  invalid: number;
  /** Valid events. */
  valid: number;
  /** Valid events dropped because an earlier one had the same `event_id`. */
  duplicates: number;
  /** Rows in `clean`. */
  rowsOut: number;
}

/** Longest raw line read, in bytes; a longer one fails the day with DuckDB's message. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

/**
 * A query reading gzip NDJSON files line by line as one VARCHAR column `line`.
 * The column delimiter is the newline itself, so no character inside a line
 * (a stray NUL byte from another producer included) splits it: such a line
 * reaches the cleaning whole and is classified, as the stream job does.
 *
 * @param files Local paths of `.ndjson.gz` files.
 * @returns The SQL.
 */
export function readLinesSql(files: readonly string[]): string {
  const list = `[${files.map(sqlString).join(", ")}]`;
  return `SELECT line FROM read_csv(${list}, columns = {'line': 'VARCHAR'}, header = false, ` +
    `delim = chr(10), quote = '', escape = '', new_line = '\\n', auto_detect = false, ` +
    `compression = 'gzip', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES * 2})`;
}

/**
 * Creates the cleaning macros on a connection (once per connection).
 *
 * @param connection The DuckDB connection.
 */
export async function prepareCleaning(connection: DuckDBConnection): Promise<void> {
  for (const statement of cleaningMacrosSql().split(";\n")) await connection.run(statement);
}

/**
 * Cleans and deduplicates lines into the temp table `clean`.
 *
 * @param connection A connection on which {@linkcode prepareCleaning} ran.
 * @param linesSql A query with one VARCHAR column `line`, e.g. {@linkcode readLinesSql}.
 * @returns The line counts.
 */
export async function cleanLines(
  connection: DuckDBConnection,
  linesSql: string,
): Promise<CleanCounts> {
  await connection.run(parseLinesSql(linesSql));
  await _decideInJavaScript(connection);
  await _lowerNonAsciiCategories(connection);
  await connection.run(dedupeSql());
  const counts = await connection.runAndReadAll(
    `SELECT count(*) FILTER (status = 'bad_json')::INT, count(*) FILTER (status = 'invalid')::INT, ` +
      `count(*) FILTER (status = 'valid')::INT, (SELECT count(*) FROM clean)::INT, count(*)::INT FROM parsed`,
  );
  const [badJson, invalid, valid, rowsOut, rowsIn] = counts.getRows()[0] as number[];
  return {
    rowsIn: rowsIn!,
    badJson: badJson!,
    invalid: invalid!,
    valid: valid!,
    duplicates: valid! - rowsOut!,
    rowsOut: rowsOut!,
  };
}

// The lines the SQL cannot decide alone (nested deeper than the edge allows, or holding a
// \u0000 or surrogate escape): the validator decides, exactly as for the stream job. A line
// JavaScript parses but DuckDB could not read is invalid (the stream calls it not a pin
// event), not bad JSON.
async function _decideInJavaScript(connection: DuckDBConnection): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT DISTINCT js_line, status FROM parsed WHERE js_line IS NOT NULL`,
  );
  for (const [line, status] of reader.getRows() as string[][]) {
    let value: unknown;
    try {
      value = JSON.parse(line!);
    } catch {
      continue;
    }
    if (status === "bad_json" || !validatePinEvent(value).ok) {
      await connection.run(
        `UPDATE parsed SET status = 'invalid' WHERE js_line = $1`,
        [line!],
      );
    }
  }
}

// DuckDB's lower() and JavaScript's toLowerCase() differ on a few non-ASCII
// letters (İ, final sigma): JavaScript lower-cases those categories.
async function _lowerNonAsciiCategories(connection: DuckDBConnection): Promise<void> {
  await connection.run(`DELETE FROM ${CATEGORY_LOWER_TABLE}`);
  const reader = await connection.runAndReadAll(NON_ASCII_CATEGORIES_SQL);
  for (const [raw] of reader.getRows() as string[][]) {
    await connection.run(
      `INSERT INTO ${CATEGORY_LOWER_TABLE} VALUES ($1, $2)`,
      [raw!, raw!.toLowerCase()],
    );
  }
}
