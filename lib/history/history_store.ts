/**
 * The history port: the batch's cleaned rows and the historical aggregates,
 * written idempotently per batch day and read by the edge's `/history/...`.
 * Adapters: Cassandra (`cassandra_store.ts`) and an embedded DuckDB database
 * file (`embedded_store.ts`) for `deno task dev`.
 *
 * Days and years: a batch day `dt` is the UTC day of `received_at` (the raw
 * partition); aggregates are keyed by the UTC day and year of `event_time`
 * (which falls back to `received_at`), so a late event counts in the day it
 * happened. Each batch day's contribution is stored apart and replaced
 * whole when that day is re-run; totals are sums over contributions.
 *
 * @module
 */

import type { CleanRecord } from "../pin/clean_columns.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import type { LeaseTry } from "./lease.ts";

/**
 * One cleaned pin as stored: the columns of `CLEAN_COLUMNS`
 * (`lib/pin/clean_columns.ts`), times in epoch milliseconds (UTC).
 */
export type HistoryRow = CleanRecord<number>;

/** The cleaned rows of one batch day, readable in two ways. */
export interface DayRows {
  /** How many rows. */
  count: number;
  /** A local Parquet file with the rows (the curated file), for engines that read it directly. */
  parquetPath: string;
  /** The rows in batches, for stores written row by row. */
  batches(size: number): AsyncIterable<HistoryRow[]>;
}

/** Pins of one event day and category contributed by a batch day. */
export interface CategoryCount {
  event_date: string;
  category: string;
  pins: number;
}

/** Pins of one event day and media type contributed by a batch day. */
export interface MediaCount {
  event_date: string;
  media_type: string;
  pins: number;
}

/** One profile's activity in a category contributed by a batch day. */
export interface ProfileCount {
  category: string;
  poster_name: string;
  pins: number;
  /** Highest follower count seen; null when every event had the sentinel. */
  follower_count: number | null;
}

/** Everything one batch day contributes to the aggregates, as records. */
export interface AggregateRecords {
  categories: CategoryCount[];
  media: MediaCount[];
  profiles: ProfileCount[];
}

/** Which aggregate a row of {@linkcode DayAggregates.parquetPath} belongs to (its `kind`). */
export const AGGREGATE_KINDS = {
  categories: "categories",
  media: "media",
  profiles: "profiles",
} as const satisfies Record<keyof AggregateRecords, string>;

/**
 * Everything one batch day contributes to the aggregates, readable in two
 * ways, as {@linkcode DayRows}.
 */
export interface DayAggregates {
  /**
   * A local Parquet file with every aggregate row, for engines that read it
   * directly: `kind` (a value of {@linkcode AGGREGATE_KINDS}), `event_date`
   * (DATE; categories, media), `category` (categories, profiles),
   * `media_type` (media), `poster_name` (profiles), `pins` and
   * `follower_count` (profiles) as BIGINT.
   */
  parquetPath: string;
  /** The same rows as records, for stores written row by row. */
  records(): Promise<AggregateRecords>;
}

/** One raw object a run read. */
export interface RunInput {
  key: string;
  etag: string;
  size: number;
}

/** The record of one batch run of one day. */
export interface BatchRun {
  /** The batch day, `YYYY-MM-DD`. */
  day: string;
  status: "succeeded" | "failed";
  inputs: RunInput[];
  rowsIn: number;
  valid: number;
  invalid: number;
  duplicates: number;
  rowsOut: number;
  /**
   * Values the cleaning made null in the valid events (before deduplication), by
   * field and reason; absent for a failed run and for runs recorded before it was kept.
   */
  nulled?: NulledCounts;
  durationMs: number;
  finishedAt: Date;
  /** Why it failed. */
  error?: string;
}

/**
 * A run as the row both adapters store in `batch_runs`: day, status, inputs
 * (JSON), rows in, valid, invalid, duplicates, rows out, duration (whole
 * milliseconds), finished at, error, nulled (JSON, or null when absent).
 */
export function batchRunColumns(
  run: BatchRun,
): [
  string,
  string,
  string,
  number,
  number,
  number,
  number,
  number,
  number,
  Date,
  string | null,
  string | null,
] {
  return [
    run.day,
    run.status,
    JSON.stringify(run.inputs),
    run.rowsIn,
    run.valid,
    run.invalid,
    run.duplicates,
    run.rowsOut,
    Math.round(run.durationMs),
    run.finishedAt,
    run.error ?? null,
    run.nulled ? JSON.stringify(run.nulled) : null,
  ];
}

/** A category's pins. */
export interface CategoryPins {
  category: string;
  pins: number;
}

/** Image, video and unknown pins of a year. */
export interface MediaPins {
  image: number;
  video: number;
  unknown: number;
}

/** A profile ranked by follower count. */
export interface ProfileStats {
  poster_name: string;
  follower_count: number | null;
  pins: number;
}

/** The historical store. */
export interface HistoryStore {
  /** "cassandra" or "embedded". */
  readonly kind: "cassandra" | "embedded";
  /** Where it lives, for logs and errors. */
  readonly address: string;
  /** Creates the schema when missing; idempotent. */
  migrate(): Promise<void>;
  /** Replaces the cleaned rows of batch day `day`. @returns Rows written. */
  writeRows(day: string, rows: DayRows): Promise<number>;
  /** Replaces batch day `day`'s contribution to every aggregate. */
  writeAggregates(day: string, aggregates: DayAggregates): Promise<void>;
  /**
   * Tries once to lease batch day `day` for `holder` (see `lease.ts`): a run
   * writes a day only while it holds the day's lease.
   * @returns The lease, or who holds it.
   */
  leaseDay(day: string, holder: string): Promise<LeaseTry>;
  /** Records a run; the latest record per day is what catch-up compares. */
  recordRun(run: BatchRun): Promise<void>;
  /** Pins per category in an event-time year, most first. */
  categoriesByYear(year: number): Promise<CategoryPins[]>;
  /** The most popular category of a year, or null without data. */
  topCategory(year: number): Promise<CategoryPins | null>;
  /** Image and video counts of a year. */
  mediaByYear(year: number): Promise<MediaPins>;
  /** Profiles of a category by follower count, highest first. */
  topProfiles(category: string, limit: number): Promise<ProfileStats[]>;
  /** Event-time years with data, ascending. */
  yearsAvailable(): Promise<number[]>;
  /** The latest run of every batch day, by day. */
  runs(): Promise<BatchRun[]>;
  /** The run that finished last, or null. */
  lastRun(): Promise<BatchRun | null>;
  /** Releases connections. */
  close(): Promise<void>;
}

/**
 * Orders categories by pins (most first), then name, and drops empty ones.
 *
 * @param totals Pins by category.
 * @returns The sorted list.
 */
export function rankCategories(totals: Map<string, number>): CategoryPins[] {
  return [...totals].filter(([, pins]) => pins > 0)
    .map(([category, pins]) => ({ category, pins }))
    .sort((a, b) => b.pins - a.pins || (a.category < b.category ? -1 : 1));
}

/**
 * Orders profiles by follower count (unknown last), then pins, then name.
 *
 * @param profiles The profiles.
 * @param limit How many to keep.
 * @returns The top `limit`.
 */
export function rankProfiles(profiles: ProfileStats[], limit: number): ProfileStats[] {
  return [...profiles].sort((a, b) =>
    (b.follower_count ?? -1) - (a.follower_count ?? -1) || b.pins - a.pins ||
    (a.poster_name < b.poster_name ? -1 : a.poster_name > b.poster_name ? 1 : 0)
  ).slice(0, limit);
}
