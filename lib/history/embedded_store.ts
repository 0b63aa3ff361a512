/**
 * The embedded history store: a DuckDB database file
 * (`<dataDir>/history/history.duckdb`), for `deno task dev` and tests. The
 * same model as Cassandra — cleaned rows per batch day, each batch day's
 * contribution to the aggregates stored apart and replaced whole in one
 * transaction — with totals computed by SQL `GROUP BY` at read time.
 *
 * DuckDB lets one process open a database file for writing: the batch and
 * the edge share it when they run in one process (`deno task dev`). The
 * file is opened through DuckDB's instance cache, so any other opener in
 * the process (a second store, a reader of its own) shares the one
 * database instead of opening the file again.
 *
 * A day's lease is an OS lock on `leases/<day>.lock` beside the file.
 *
 * @module
 */

import { dirname } from "node:path";
import { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type {
  BatchRun,
  CategoryPins,
  DayAggregates,
  DayRows,
  HistoryStore,
  MediaPins,
  ProfileStats,
} from "./history_store.ts";
import { AGGREGATE_KINDS, batchRunColumns } from "./history_store.ts";
import { EMBEDDED_MIGRATIONS } from "./_embedded_schema.ts";
import { tryFileLease } from "./_file_lease.ts";
import { CLEAN_COLUMN_NAMES } from "../pin/clean_columns.ts";

const COLUMNS = CLEAN_COLUMN_NAMES.join(", ");

/** Options of {@linkcode createEmbeddedHistory}. */
export interface EmbeddedHistoryOptions {
  /** The database file; `:memory:` for a throw-away store. */
  path: string;
  /**
   * Write-ahead log size that triggers a checkpoint ("64MB" by default). A checkpoint
   * compresses the rows written since the last one and rewrites a partly filled row group:
   * with DuckDB's 16 MiB default, every batch day paid a full one (0.3–6 s) when it
   * recorded its run. At 64 MiB one lands every few days, inside `writeRows`; a larger
   * log keeps its rows in memory (1 GiB: +650 MiB RSS over 2M rows) and moves the cost
   * to `close()`.
   */
  checkpointThreshold?: string;
  /**
   * DuckDB's memory limit for the database ("128MB" by default). Without one DuckDB may cache
   * up to 80 % of the machine's memory, and keeps the blocks of the rows it wrote: the
   * process grew with the history (past 2 GiB at 10M rows).
   */
  memoryLimit?: string;
  /**
   * The lock files of day leases: `leases/` beside the file, or a temporary
   * directory (removed by `close()`) for `:memory:`.
   */
  leaseDir?: string;
}

/**
 * Opens (creating when missing) the embedded history store.
 *
 * @param options Where the database file lives.
 * @returns The store; call `migrate()` before use.
 */
export async function createEmbeddedHistory(
  options: EmbeddedHistoryOptions,
): Promise<HistoryStore> {
  const instance = await DuckDBInstance.fromCache(options.path);
  const db = await instance.connect();
  // A setting rather than an open option: the cache shares an instance only among openers
  // with the same options.
  const threshold = (options.checkpointThreshold ?? "64MB").replaceAll("'", "''");
  await db.run(`SET checkpoint_threshold = '${threshold}'`);
  const memoryLimit = (options.memoryLimit ?? "128MB").replaceAll("'", "''");
  await db.run(`SET memory_limit = '${memoryLimit}'`);
  const ownLeaseDir = options.leaseDir === undefined && options.path === ":memory:";
  const leaseDir = options.leaseDir ??
    (ownLeaseDir
      ? await Deno.makeTempDir({ prefix: "history_leases_" })
      : `${dirname(options.path)}/leases`);
  let queue: Promise<unknown> = Promise.resolve();

  // One connection, one statement at a time: transactions never interleave.
  function serial<T>(work: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = queue.then(() => work(db));
    queue = next.catch(() => {});
    return next;
  }

  async function rows(sql: string, values: Array<string | number> = []): Promise<unknown[][]> {
    return (await db.runAndReadAll(sql, values)).getRowsJS() as unknown[][];
  }

  async function transaction(work: () => Promise<void>): Promise<void> {
    await db.run("BEGIN TRANSACTION");
    try {
      await work();
      await db.run("COMMIT");
    } catch (error) {
      await db.run("ROLLBACK").catch(() => {});
      throw error;
    }
  }

  function toRun(row: unknown[]): BatchRun {
    const [
      day,
      status,
      inputs,
      rowsIn,
      valid,
      invalid,
      duplicates,
      rowsOut,
      duration,
      finished,
      error,
      nulled,
    ] = row;
    return {
      day: String(day),
      status: status as BatchRun["status"],
      inputs: JSON.parse(String(inputs)),
      rowsIn: Number(rowsIn),
      valid: Number(valid),
      invalid: Number(invalid),
      duplicates: Number(duplicates),
      rowsOut: Number(rowsOut),
      durationMs: Number(duration),
      finishedAt: finished as Date,
      ...(error === null ? {} : { error: String(error) }),
      ...(nulled === null ? {} : { nulled: JSON.parse(String(nulled)) }),
    };
  }

  const RUN_COLUMNS =
    "strftime(day, '%Y-%m-%d'), status, inputs, rows_in, valid, invalid, duplicates, rows_out, duration_ms, finished_at, error, nulled";

  async function categories(where: string, value: string | number): Promise<CategoryPins[]> {
    const result = await rows(
      `SELECT category, sum(pins)::DOUBLE FROM day_categories WHERE ${where} GROUP BY 1 ` +
        `HAVING sum(pins) > 0 ORDER BY 2 DESC, 1`,
      [value],
    );
    return result.map(([category, pins]) => ({ category: String(category), pins: Number(pins) }));
  }

  const store: HistoryStore = {
    kind: "embedded",
    address: options.path,
    migrate: () =>
      serial(async () => {
        await db.run(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)",
        );
        const done = new Set((await rows("SELECT version FROM schema_migrations")).map(([v]) => v));
        for (const [version, description, sql] of EMBEDDED_MIGRATIONS) {
          if (done.has(version)) continue;
          await transaction(async () => {
            for (const statement of sql.split(";")) await db.run(statement);
            await db.run("INSERT INTO schema_migrations VALUES ($1, $2, now())", [
              version,
              description,
            ]);
          });
        }
      }),
    writeRows: (day, source: DayRows) =>
      serial(async () => {
        await transaction(async () => {
          await db.run("DELETE FROM pins WHERE dt = $1::DATE", [day]);
          await db.run(
            `INSERT INTO pins (dt, ${COLUMNS}) SELECT $1::DATE, ${COLUMNS} FROM read_parquet($2)`,
            [day, source.parquetPath],
          );
        });
        return source.count;
      }),
    writeAggregates: (day, aggregates: DayAggregates) =>
      serial(() =>
        transaction(async () => {
          const from = `FROM read_parquet($2) WHERE kind = $3`;
          const { categories, media, profiles } = AGGREGATE_KINDS;
          for (const table of ["day_categories", "day_media", "day_profiles"]) {
            await db.run(`DELETE FROM ${table} WHERE dt = $1::DATE`, [day]);
          }
          await db.run(
            `INSERT INTO day_categories SELECT $1::DATE, event_date, category, pins ${from}`,
            [day, aggregates.parquetPath, categories],
          );
          await db.run(
            `INSERT INTO day_media SELECT $1::DATE, event_date, media_type, pins ${from}`,
            [day, aggregates.parquetPath, media],
          );
          await db.run(
            `INSERT INTO day_profiles SELECT $1::DATE, category, poster_name, pins, follower_count ${from}`,
            [day, aggregates.parquetPath, profiles],
          );
        })
      ),
    leaseDay: (day, holder) => tryFileLease(leaseDir, day, holder),
    recordRun: (run) =>
      serial(async () => {
        await db.run(
          `INSERT OR REPLACE INTO batch_runs VALUES ($1::DATE, $2, $3, $4, $5, $6, $7, $8, $9, $10::TIMESTAMP, $11, $12)`,
          batchRunColumns(run).map((value) =>
            // DuckDB takes the timestamp as local text; a null error as null.
            value instanceof Date ? value.toISOString().replace("Z", "") : value
          ) as string[],
        );
      }),
    categoriesByYear: (year) => serial(() => categories("year(event_date) = $1", year)),
    async topCategory(year) {
      return (await store.categoriesByYear(year))[0] ?? null;
    },
    mediaByYear: (year) =>
      serial(async () => {
        const media: MediaPins = { image: 0, video: 0, unknown: 0 };
        const result = await rows(
          `SELECT media_type, sum(pins)::DOUBLE FROM day_media WHERE year(event_date) = $1 GROUP BY 1`,
          [year],
        );
        for (const [type, pins] of result) media[type as keyof MediaPins] = Number(pins);
        return media;
      }),
    topProfiles: (category, limit) =>
      serial(async () => {
        const result = await rows(
          `SELECT poster_name, max(follower_count)::DOUBLE, sum(pins)::DOUBLE FROM day_profiles ` +
            `WHERE category = $1 GROUP BY 1 ` +
            `ORDER BY 2 DESC NULLS LAST, 3 DESC, 1 LIMIT $2`,
          [category, limit],
        );
        return result.map(([poster, followers, pins]): ProfileStats => ({
          poster_name: String(poster),
          follower_count: followers === null ? null : Number(followers),
          pins: Number(pins),
        }));
      }),
    yearsAvailable: () =>
      serial(async () =>
        (await rows(
          "SELECT DISTINCT year(event_date) FROM day_categories WHERE pins > 0 ORDER BY 1",
        )).map(([year]) => Number(year))
      ),
    runs: () =>
      serial(async () =>
        (await rows(`SELECT ${RUN_COLUMNS} FROM batch_runs ORDER BY day`)).map(toRun)
      ),
    lastRun: () =>
      serial(async () => {
        const result = await rows(
          `SELECT ${RUN_COLUMNS} FROM batch_runs ORDER BY finished_at DESC, day DESC LIMIT 1`,
        );
        return result[0] ? toRun(result[0]) : null;
      }),
    close: () =>
      serial(async () => {
        db.closeSync();
        instance.closeSync();
        if (ownLeaseDir) await Deno.remove(leaseDir, { recursive: true });
      }),
  };
  return store;
}
