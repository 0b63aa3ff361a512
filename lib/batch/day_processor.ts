/**
 * One batch day: raw objects → cleaned, deduplicated rows → curated Parquet
 * (in the archive), cleaned rows and aggregates (in the history store).
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import type { ObjectStore } from "../archive/object_store.ts";
import { CLEAN_COLUMN_NAMES, CLEAN_COLUMNS } from "../pin/clean_columns.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import type { Logger } from "../runtime/logger.ts";
import {
  AGGREGATE_KINDS,
  type AggregateRecords,
  type DayAggregates,
  type DayRows,
  type HistoryRow,
  type HistoryStore,
  type RunInput,
} from "../history/history_store.ts";
import type { CleanPool } from "./clean_pool.ts";
import { type CleanCounts, cleanFiles, loadCleaned, sqlString } from "./clean_stage.ts";
import { curatedDayPrefix, curatedKey } from "./raw_zone.ts";

/** What the day processor needs. */
export interface DayDeps {
  store: ObjectStore;
  history: HistoryStore;
  logger: Logger;
  /** The day's working database. */
  duckdb: DuckDBConnection;
  /** The cleaning workers. */
  cleaners: CleanPool;
  /** A scratch directory of this day, removed by the caller. */
  workDir: string;
  /** Objects downloaded at once. */
  downloadConcurrency?: number;
  /** Called after each object is copied. */
  onObject?: () => void;
  /** Aborts the day: checked before each write and between batches of rows (the day's lease). */
  signal?: AbortSignal;
}

/** Milliseconds spent per step of a day. */
export interface DayTimings {
  copy: number;
  /** Validating and cleaning in the workers. */
  clean: number;
  /** Reading the cleaned pins into DuckDB and deduplicating. */
  load: number;
  parquet: number;
  aggregates: number;
  rows: number;
}

/** The outcome of one day. */
export interface DayResult extends CleanCounts {
  day: string;
  inputs: RunInput[];
  /** Values the cleaning made null in the valid events, by field and reason. */
  nulled: NulledCounts;
  timings: DayTimings;
  /** Bytes of the curated Parquet file. */
  parquetBytes: number;
}

/**
 * Processes one batch day; idempotent (its outputs are replaced whole).
 *
 * @param deps Stores, logger, DuckDB connection, scratch directory.
 * @param day The batch day (`YYYY-MM-DD`, the UTC day of `received_at`).
 * @param inputs The day's raw objects.
 * @returns Counts and timings.
 */
export async function processDay(
  deps: DayDeps,
  day: string,
  inputs: RunInput[],
): Promise<DayResult> {
  const { store, history, duckdb, workDir, signal } = deps;
  const timings: DayTimings = {
    copy: 0,
    clean: 0,
    load: 0,
    parquet: 0,
    aggregates: 0,
    rows: 0,
  };
  let mark = performance.now();
  const lap = (step: keyof DayTimings) => {
    const now = performance.now();
    timings[step] += now - mark;
    mark = now;
  };

  const files = await _copyInputs(deps, inputs);
  lap("copy");

  const cleaned = await cleanFiles(deps.cleaners, files, workDir);
  const nulled = cleaned.nulled;
  lap("clean");
  const counts = await loadCleaned(duckdb, cleaned);
  lap("load");

  const parquetPath = `${workDir}/part-0.parquet`;
  await duckdb.run(
    `COPY (SELECT ${CLEAN_COLUMN_NAMES.join(", ")} FROM clean) TO ${
      sqlString(parquetPath)
    } (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
  );
  const parquet = await Deno.readFile(parquetPath);
  signal?.throwIfAborted();
  for (const object of await store.list(curatedDayPrefix(day))) {
    if (object.key !== curatedKey(day)) await store.delete(object.key);
  }
  await store.put(curatedKey(day), parquet, "application/vnd.apache.parquet");
  lap("parquet");

  const aggregates = await _aggregates(duckdb, `${workDir}/aggregates.parquet`);
  signal?.throwIfAborted();
  await history.writeAggregates(day, aggregates);
  lap("aggregates");

  signal?.throwIfAborted();
  await history.writeRows(day, _dayRows(duckdb, counts.rowsOut, parquetPath, signal));
  lap("rows");

  return { day, inputs, ...counts, nulled, timings, parquetBytes: parquet.length };
}

async function _copyInputs(deps: DayDeps, inputs: RunInput[]): Promise<string[]> {
  const { store, workDir, downloadConcurrency = 8, onObject } = deps;
  const files = inputs.map((_, i) => `${workDir}/raw-${String(i).padStart(6, "0")}.ndjson.gz`);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < inputs.length) {
      const i = next++;
      await Deno.writeFile(files[i]!, await store.get(inputs[i]!.key));
      onObject?.();
    }
  }
  await Promise.all(Array.from({ length: Math.min(downloadConcurrency, inputs.length) }, worker));
  return files;
}

/**
 * Every aggregate of the day in one pass over `clean` (grouping sets), written to a Parquet
 * file: pins per event date and category, per event date and media type, and per category
 * and poster with the highest follower count.
 */
async function _aggregates(duckdb: DuckDBConnection, path: string): Promise<DayAggregates> {
  const { categories, media, profiles } = AGGREGATE_KINDS;
  // GROUPING's bits, most significant first: event_date, category, media_type, poster_name.
  await duckdb.run(
    `COPY (SELECT CASE grouped WHEN 3 THEN '${categories}' WHEN 5 THEN '${media}' ` +
      `ELSE '${profiles}' END AS kind, event_date, category, media_type, poster_name, pins, ` +
      `follower_count FROM (` +
      `SELECT GROUPING(event_date, category, media_type, poster_name) AS grouped, event_date, ` +
      `category, media_type, poster_name, count(*) AS pins, max(follower_count) AS follower_count ` +
      `FROM (SELECT event_time::DATE AS event_date, category, media_type, poster_name, ` +
      `follower_count FROM clean) ` +
      `GROUP BY GROUPING SETS ((event_date, category), (event_date, media_type), ` +
      `(category, poster_name))) ` +
      // Categories and profiles without a category, profiles without a poster: not counted.
      `WHERE grouped = 5 OR (category IS NOT NULL AND (grouped = 3 OR poster_name IS NOT NULL))) ` +
      `TO ${sqlString(path)} (FORMAT parquet)`,
  );
  return {
    parquetPath: path,
    async records() {
      const rows = (await duckdb.runAndReadAll(
        `SELECT kind, strftime(event_date, '%Y-%m-%d'), category, media_type, poster_name, ` +
          `pins::DOUBLE, follower_count::DOUBLE FROM read_parquet(${sqlString(path)}) ` +
          `ORDER BY ALL`,
      )).getRowsJS() as Array<[string, string, string, string, string, number, number | null]>;
      const records: AggregateRecords = { categories: [], media: [], profiles: [] };
      for (const [kind, event_date, category, media_type, poster_name, pins, followers] of rows) {
        if (kind === categories) records.categories.push({ event_date, category, pins });
        else if (kind === media) records.media.push({ event_date, media_type, pins });
        else records.profiles.push({ category, poster_name, pins, follower_count: followers });
      }
      return records;
    },
  };
}

// The `clean` table's columns as `HistoryRow` values: instants in epoch milliseconds, and
// integers as doubles (the JavaScript numbers they are; DuckDB would hand over bigints).
const HISTORY_ROW_COLUMNS = CLEAN_COLUMNS.map(({ name, type }) => {
  if (type === "instant") return `epoch_ms(${name})::DOUBLE AS ${name}`;
  if (type === "integer") return `${name}::DOUBLE AS ${name}`;
  return name;
}).join(", ");

function _dayRows(
  duckdb: DuckDBConnection,
  count: number,
  parquetPath: string,
  signal: AbortSignal | undefined,
): DayRows {
  return {
    count,
    parquetPath,
    async *batches(size: number): AsyncIterable<HistoryRow[]> {
      const result = await duckdb.stream(`SELECT ${HISTORY_ROW_COLUMNS} FROM clean`);
      let batch: HistoryRow[] = [];
      for await (const rows of result.yieldRowObjectJs()) {
        for (const row of rows) batch.push(row as unknown as HistoryRow);
        if (batch.length >= size) {
          signal?.throwIfAborted();
          yield batch;
          batch = [];
        }
      }
      signal?.throwIfAborted();
      if (batch.length > 0) yield batch;
    },
  };
}
