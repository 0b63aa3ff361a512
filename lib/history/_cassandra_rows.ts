/**
 * Replacing one batch day's cleaned rows in Cassandra's `pins` table: delete
 * every bucket of the day, then insert the rows as unlogged batches of one
 * bucket each, their columns and bound values derived from `CLEAN_COLUMNS`.
 *
 * @module
 */

import cassandra from "cassandra-driver";
import { CLEAN_COLUMN_NAMES, CLEAN_COLUMNS, type ColumnType } from "../pin/clean_columns.ts";
import { PIN_BUCKETS } from "./_cassandra_schema.ts";
import type { Cql, Params } from "./_cql.ts";
import { pinBucket } from "./bucket.ts";
import type { DayRows, HistoryRow } from "./history_store.ts";

// Instants are bound as dates, integers as bigint, the rest as they are.
function _bind(type: ColumnType, value: unknown): unknown {
  if (value === null) return null;
  if (type === "instant") return new Date(value as number);
  if (type === "integer") return cassandra.types.Long.fromNumber(value as number);
  return value;
}

/**
 * The bound values of one row of `pins`: the batch day, the row's bucket,
 * then its columns in order.
 *
 * @param day The batch day.
 * @param row The cleaned row.
 * @returns The parameters of the `pins` INSERT.
 */
export function pinParams(day: string, row: HistoryRow): Params {
  return [
    day,
    pinBucket(row.event_id),
    ...CLEAN_COLUMNS.map(({ name, type }) => _bind(type, row[name])),
  ];
}

/**
 * Replaces batch day `day`'s cleaned rows.
 *
 * @param cql The CQL helper.
 * @param ks The keyspace.
 * @param day The batch day.
 * @param source The day's rows.
 * @param batchRows Rows handed to the driver per round.
 * @returns Rows written.
 */
export async function replaceRows(
  cql: Cql,
  ks: string,
  day: string,
  source: DayRows,
  batchRows: number,
): Promise<number> {
  await cql.many(
    `DELETE FROM ${ks}.pins WHERE dt = ? AND bucket = ?`,
    Array.from({ length: PIN_BUCKETS }, (_, bucket) => [day, bucket]),
  );
  const columns = ["dt", "bucket", ...CLEAN_COLUMN_NAMES];
  const insert = `INSERT INTO ${ks}.pins (${columns.join(", ")}) VALUES (${
    columns.map(() => "?").join(", ")
  })`;
  let written = 0;
  for await (const batch of source.batches(batchRows)) {
    // Rows of one (dt, bucket) partition go out together as unlogged batches.
    await cql.partitionBatches(
      insert,
      batch.map((row) => pinParams(day, row)),
      (params) => String(params[1]),
    );
    written += batch.length;
  }
  return written;
}
