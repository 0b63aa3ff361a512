/**
 * The views of `deno task query`: `pins` over the curated Parquet;
 * `pins_raw`, the raw zone's gzip NDJSON lines with the event's known fields
 * as typed columns, whatever else a line carries; and `pins_dlq`, the
 * archived dead-letter records with the record's fields as typed columns.
 *
 * DuckDB's `read_ndjson` detects a schema from the data and gives up on wide
 * or irregular records (one event with hundreds of unknown keys among
 * ordinary ones turns the whole zone into a single `json MAP` column). The
 * view therefore reads each line as JSON and takes the fields it knows by
 * name, from the validator's field list:
 *
 * - the known fields in their wire types (`index` and `downloaded` BIGINT,
 *   the others VARCHAR); a value of another JSON type is NULL;
 * - `extra`: the unknown fields as one JSON object, NULL when there are none;
 * - `dt` (DATE) and `hour` (INTEGER) from the key.
 *
 * A line that is not JSON (or not valid UTF-8) is a row of NULLs, so it
 * never fails a query and `count(*)` still counts every line.
 *
 * @module
 */

import type { DeadLetterRecord } from "../pin/dead_letter.ts";
import { PIN_FIELDS } from "../pin/pin_event.ts";

/** A typed column of `pins_raw` or `pins_dlq`: a JSON field read as a DuckDB type. */
export interface RawColumn {
  /** The JSON field and the column's name. */
  name: string;
  /** DuckDB type; JSON keeps a list or an object as JSON. */
  type: "BIGINT" | "VARCHAR" | "BOOLEAN" | "JSON";
}

// The validator's integer fields; tests/unit/archive_views_test.ts checks them against it.
const INTEGER_FIELDS = new Set(["index", "downloaded"]);

/** The known fields as `pins_raw` types them: the event's, then the edge's additions. */
export const RAW_COLUMNS: readonly RawColumn[] = [
  ...PIN_FIELDS,
  "event_id",
  "event_time",
  "received_at",
].map((name) => ({ name, type: INTEGER_FIELDS.has(name) ? "BIGINT" : "VARCHAR" }));

// Every field of the dead-letter record, typed: a field added to the record fails to compile here.
const DLQ_TYPES: Record<keyof DeadLetterRecord, RawColumn["type"]> = {
  source: "VARCHAR",
  reason: "VARCHAR",
  problems: "JSON",
  raw: "VARCHAR",
  index: "BIGINT",
  truncated: "BOOLEAN",
  received_at: "VARCHAR",
};

/** The columns of `pins_dlq`: the dead-letter record's fields, in its order. */
export const DLQ_COLUMNS: readonly RawColumn[] = Object.entries(DLQ_TYPES)
  .map(([name, type]) => ({ name, type }));

function _string(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function _ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

// `v_<name>`: the field's JSON value; a column reads only its own field, so a query
// parses the line once per column it uses.
function _value({ name }: RawColumn): string {
  return `line -> ${_string(`$."${name}"`)} AS ${_ident(`v_${name}`)}`;
}

const TYPED: Record<RawColumn["type"], (value: string) => string> = {
  BIGINT: (value) =>
    `CASE WHEN json_type(${value}) IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(${value} AS BIGINT) END`,
  VARCHAR: (value) => `CASE WHEN json_type(${value}) = 'VARCHAR' THEN ${value} ->> '$' END`,
  BOOLEAN: (value) => `CASE WHEN json_type(${value}) = 'BOOLEAN' THEN ${value}::BOOLEAN END`,
  JSON: (value) => `CASE WHEN json_type(${value}) IN ('ARRAY', 'OBJECT') THEN ${value} END`,
};

function _typed({ name, type }: RawColumn): string {
  return `${TYPED[type](_ident(`v_${name}`))} AS ${_ident(name)}`;
}

/** `read_ndjson_objects` over gzip NDJSON files under `dt=…/hour=…/`, a line that is not JSON as NULL. */
function _lines(files: readonly string[], columns: readonly RawColumn[]): string {
  return `SELECT json AS line, ${columns.map(_value).join(", ")}, dt, hour
  FROM read_ndjson_objects([${files.map(_string).join(", ")}],
    hive_partitioning = true, hive_types = {'dt': DATE, 'hour': INTEGER}, ignore_errors = true)`;
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
  const known = JSON.stringify(Object.fromEntries(RAW_COLUMNS.map(({ name }) => [name, null])));
  return `CREATE VIEW pins_raw AS
SELECT
  ${RAW_COLUMNS.map(_typed).join(",\n  ")},
  CASE WHEN json_type(line) = 'OBJECT'
    THEN nullif(json_merge_patch(line, ${_string(known)}), '{}')::JSON END AS extra,
  dt,
  hour
FROM (
  ${_lines(files, RAW_COLUMNS)}
)`;
}

/**
 * The statement creating view `pins_dlq` over dead-letter zone files: one
 * row per archived dead-letter record, its fields typed (`problems` as JSON;
 * a field of another JSON type, or a line that is not JSON, is NULL), with
 * `dt` (DATE) and `hour` (INTEGER) from the key.
 *
 * @param files Local paths of the dead-letter objects (gzip NDJSON under `dt=…/hour=…/`); at least one.
 * @returns `CREATE VIEW pins_dlq AS ...`.
 * @throws {RangeError} When `files` is empty.
 */
export function dlqViewSql(files: readonly string[]): string {
  if (files.length === 0) {
    throw new RangeError(
      "Cannot create view pins_dlq without files: the dead-letter zone is empty",
    );
  }
  return `CREATE VIEW pins_dlq AS
SELECT
  ${DLQ_COLUMNS.map(_typed).join(",\n  ")},
  dt,
  hour
FROM (
  ${_lines(files, DLQ_COLUMNS)}
)`;
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
  hive_partitioning = true, hive_types = {'dt': DATE}, union_by_name = true)`;
}
