/**
 * What the batch's cleaning made null, and why, in DuckDB SQL generated from
 * `lib/pin/clean_outcomes.ts` (the reasons the stream job counts):
 * `parseLinesSql` adds a column `n_<field>` per nullable field to `parsed`,
 * the reason that field became null (NULL when it did not), and
 * {@linkcode countNulled} counts them over the valid rows in one pass.
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import { SENTINELS } from "../pin/clean_pin.ts";
import {
  addNull,
  NULL_OUTCOMES,
  NULLABLE_FIELDS,
  type NullableField,
  type NulledCounts,
  parseReason,
} from "../pin/clean_outcomes.ts";
import { sqlString } from "./clean_macros.ts";

function _reasonColumn(field: NullableField): string {
  const raw = `_js_trim(r_${field})`;
  const sentinels = SENTINELS[field];
  const sentinel = sentinels
    ? ` WHEN ${raw} IN (${sentinels.map(sqlString).join(", ")}) THEN 'sentinel'`
    : "";
  return `CASE WHEN ${field} IS NOT NULL THEN NULL WHEN ${raw} = '' THEN 'blank'${sentinel} ` +
    `ELSE ${sqlString(parseReason(field))} END AS n_${field}`;
}

/**
 * The `n_<field>` columns of `parseLinesSql`'s final projection: the reason
 * each nullable cleaned column is null, from its raw text `r_<field>` (the
 * cleaned columns are read by their names, defined earlier in the same
 * projection). Meaningful on valid rows only.
 *
 * @returns Comma-separated select-list entries.
 */
export function nullReasonColumnsSql(): string {
  return NULLABLE_FIELDS.map(_reasonColumn).join(",\n  ");
}

/**
 * The query counting every (field, reason) of `NULL_OUTCOMES` over the
 * valid rows of `parsed`, before deduplication (as the stream job counts
 * every record it cleans), in one pass.
 *
 * @returns A query with one row, one count per entry of `NULL_OUTCOMES`, in order.
 */
export function countNulledSql(): string {
  const counts = NULL_OUTCOMES.map(({ field, reason }) =>
    `count(*) FILTER (WHERE n_${field} = ${sqlString(reason)})::DOUBLE`
  ).join(",\n  ");
  return `SELECT\n  ${counts}\nFROM parsed WHERE status = 'valid'`;
}

/**
 * Counts what the cleaning made null, on a connection where `cleanLines` ran.
 *
 * @param connection The DuckDB connection holding `parsed`.
 * @returns The counts above zero, by field and reason.
 */
export async function countNulled(connection: DuckDBConnection): Promise<NulledCounts> {
  const row = (await connection.runAndReadAll(countNulledSql())).getRowsJS()[0]!;
  const nulled: NulledCounts = {};
  NULL_OUTCOMES.forEach(({ field, reason }, i) => addNull(nulled, field, reason, Number(row[i])));
  return nulled;
}
