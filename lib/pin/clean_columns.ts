/**
 * The columns of a cleaned pin, defined once. The TypeScript records
 * (`CleanPin` with ISO-8601 times, `HistoryRow` with epoch milliseconds),
 * the curated Parquet's column list, and the history stores' `pins` tables
 * (DuckDB and Cassandra DDL, the Cassandra INSERT) are all derived from
 * {@linkcode CLEAN_COLUMNS}; each store maps the logical types to its own.
 *
 * @module
 */

/** What a pin shows, derived from `is_image_or_video`. */
export type MediaType = "image" | "video" | "unknown";

/**
 * A column's logical type:
 * - `text`: a string;
 * - `instant`: a UTC instant (ISO-8601 text in a `CleanPin`, epoch milliseconds in a
 *   `HistoryRow`, a timestamp in the stores);
 * - `integer`: a whole number (64-bit in the stores);
 * - `text_list`: a list of strings;
 * - `media_type`: a {@linkcode MediaType}, stored as text.
 */
export type ColumnType = "text" | "instant" | "integer" | "text_list" | "media_type";

/** One column of a cleaned pin. */
export interface CleanColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** Whether the value may be null (a sentinel or a blank in the raw event). */
  readonly nullable: boolean;
}

/**
 * The cleaned pin's columns, in the order every store keeps them.
 * `event_time` is `received_at` when the client sent none; `index_id` is the
 * raw `index`.
 */
export const CLEAN_COLUMNS = [
  { name: "event_id", type: "text", nullable: false },
  { name: "event_time", type: "instant", nullable: false },
  { name: "received_at", type: "instant", nullable: false },
  { name: "index_id", type: "integer", nullable: false },
  { name: "unique_id", type: "text", nullable: false },
  { name: "title", type: "text", nullable: true },
  { name: "description", type: "text", nullable: true },
  { name: "poster_name", type: "text", nullable: true },
  { name: "follower_count", type: "integer", nullable: true },
  { name: "tag_list", type: "text_list", nullable: true },
  { name: "is_image_or_video", type: "text", nullable: true },
  { name: "media_type", type: "media_type", nullable: false },
  { name: "image_src", type: "text", nullable: true },
  { name: "downloaded", type: "integer", nullable: false },
  { name: "save_location", type: "text", nullable: true },
  { name: "category", type: "text", nullable: true },
] as const satisfies readonly CleanColumn[];

/** The name of a cleaned column. */
export type CleanColumnName = (typeof CLEAN_COLUMNS)[number]["name"];

/** The cleaned columns' names, in order (the curated Parquet's columns). */
export const CLEAN_COLUMN_NAMES: readonly CleanColumnName[] = CLEAN_COLUMNS.map((c) => c.name);

/** The DuckDB type of each logical column type (the batch's tables and the embedded history). */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  text: "VARCHAR",
  instant: "TIMESTAMP",
  integer: "BIGINT",
  text_list: "VARCHAR[]",
  media_type: "VARCHAR",
};

/** The TypeScript value of each logical type, instants as `Instant`. */
interface _Values<Instant> {
  text: string;
  instant: Instant;
  integer: number;
  text_list: string[];
  media_type: MediaType;
}

/**
 * A cleaned pin as a record of its columns, nullable columns with `| null`.
 *
 * @typeParam Instant How instants are held: ISO-8601 `string` or epoch-millisecond `number`.
 */
export type CleanRecord<Instant> = {
  [C in (typeof CLEAN_COLUMNS)[number] as C["name"]]:
    | _Values<Instant>[C["type"]]
    | (C["nullable"] extends true ? null : never);
};

/**
 * Lists the columns as `name TYPE`, each logical type spelled as `types` says:
 * the body of a store's `CREATE TABLE`.
 *
 * @param types The store's type for each logical type.
 * @returns For example `"event_id VARCHAR, event_time TIMESTAMP, ..."`.
 * @example
 * ```ts
 * `CREATE TABLE pins (dt DATE, ${columnDefinitions(DUCKDB_TYPES)})`;
 * ```
 */
export function columnDefinitions(types: Readonly<Record<ColumnType, string>>): string {
  return CLEAN_COLUMNS.map((column) => `${column.name} ${types[column.type]}`).join(", ");
}
