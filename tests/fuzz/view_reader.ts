/**
 * Reads what the two views hold after a case: the real-time database (its
 * tables directly, and the store's readers) and the batch's outputs (the
 * curated Parquet in the archive, and the history store's readers).
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import type { HistoryProbe } from "../fixtures/history_probe.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import type { SqlClient } from "../../lib/realtime/sql_client.ts";
import { utcDay } from "../fixtures/realtime_truth.ts";
import type { MediaCounts } from "./case_truth.ts";

/** Counts per category, or the error a reader threw. */
export type CountsOrError = Map<string, number> | { error: string };

/** The real-time view. */
export interface RealtimeViews {
  /** Event ids the store counted (its dedupe table). */
  seenIds: Set<string>;
  /** Events per event-time day and category, from the minute table. */
  days: Map<string, Map<string, number>>;
  /** Sum of the per-minute totals. */
  totalEvents: number;
  /** The store's `categories` reader per asked day. */
  readerDays: Map<string, CountsOrError>;
}

/** The batch view. */
export interface BatchViews {
  /** Each event_id of the curated Parquet files, with the batch days it is in. */
  curatedIds: Map<string, string[]>;
  /** `categoriesByDay` per asked day. */
  days: Map<string, CountsOrError>;
  years: number[] | { error: string };
  /** `categoriesByYear` per asked year. */
  yearCategories: Map<number, CountsOrError>;
  media: Map<number, MediaCounts | { error: string }>;
}

async function _attempt<T>(work: () => Promise<T>): Promise<T | { error: string }> {
  try {
    return await work();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Reads the real-time view.
 *
 * @param sql The real-time database.
 * @param store The real-time store on it.
 * @param days Days to ask the store's reader about.
 * @returns The view.
 */
export async function readRealtime(
  sql: SqlClient,
  store: RealtimeStore,
  days: Iterable<string>,
): Promise<RealtimeViews> {
  const ids = await sql.query<{ event_id: string }>("SELECT event_id FROM seen_events");
  const rows = await sql.query<{ ms: number; category: string; events: number }>(
    `SELECT (extract(epoch FROM minute) * 1000)::float8 AS ms, category, events::float8 AS events
     FROM category_minute`,
  );
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const day = utcDay(new Date(Number(row.ms)).toISOString());
    const counts = byDay.get(day) ?? new Map<string, number>();
    counts.set(row.category, (counts.get(row.category) ?? 0) + Number(row.events));
    byDay.set(day, counts);
  }
  const [total] = await sql.query<{ n: number }>(
    "SELECT coalesce(sum(events), 0)::float8 AS n FROM total_minute",
  );
  const readerDays = new Map<string, CountsOrError>();
  for (const day of days) {
    const since = new Date(Date.parse(`${day}T00:00:00Z`));
    const until = new Date(since.getTime() + 86_400_000 - 60_000);
    readerDays.set(
      day,
      await _attempt(async () =>
        new Map(
          (await store.categories({ since, until })).map((
            row,
          ) => [row.category, Number(row.events)]),
        )
      ),
    );
  }
  return {
    seenIds: new Set(ids.map((row) => row.event_id)),
    days: byDay,
    totalEvents: Number(total!.n),
    readerDays,
  };
}

/**
 * Reads the batch view.
 *
 * @param archive The case's archive (curated zone).
 * @param history The history store.
 * @param probe Reads the per-day counts the port does not serve.
 * @param days Event days to ask `categoriesByDay` about.
 * @param years Years to ask `categoriesByYear` and `mediaByYear` about.
 * @returns The view.
 */
export async function readBatch(
  archive: ObjectStore,
  history: HistoryStore,
  probe: Pick<HistoryProbe, "categoriesByDay">,
  days: Iterable<string>,
  years: Iterable<number>,
): Promise<BatchViews> {
  const curatedIds = await _curatedIds(archive);
  const byDay = new Map<string, CountsOrError>();
  for (const day of days) {
    byDay.set(
      day,
      await _attempt(async () =>
        new Map((await probe.categoriesByDay(day)).map((row) => [row.category, row.pins]))
      ),
    );
  }
  const available = await _attempt(() => history.yearsAvailable());
  const yearCategories = new Map<number, CountsOrError>();
  const media = new Map<number, MediaCounts | { error: string }>();
  const asked = new Set([...years, ...("error" in available ? [] : available)]);
  for (const year of asked) {
    yearCategories.set(
      year,
      await _attempt(async () =>
        new Map((await history.categoriesByYear(year)).map((row) => [row.category, row.pins]))
      ),
    );
    media.set(year, await _attempt(() => history.mediaByYear(year)));
  }
  return { curatedIds, days: byDay, years: available, yearCategories, media };
}

async function _curatedIds(archive: ObjectStore): Promise<Map<string, string[]>> {
  const ids = new Map<string, string[]>();
  const objects = (await archive.list("curated/")).filter((object) =>
    object.key.endsWith(".parquet")
  );
  if (objects.length === 0) return ids;
  const dir = await Deno.makeTempDir({ prefix: "fuzz-curated-" });
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  try {
    for (const [i, object] of objects.entries()) {
      const day = /dt=([^/]+)\//.exec(object.key)?.[1] ?? object.key;
      const path = `${dir}/${i}.parquet`;
      await Deno.writeFile(path, await archive.get(object.key));
      const reader = await connection.runAndReadAll(`SELECT event_id FROM read_parquet('${path}')`);
      for (const [id] of reader.getRows() as string[][]) {
        ids.set(id!, [...(ids.get(id!) ?? []), day]);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
    await Deno.remove(dir, { recursive: true });
  }
  return ids;
}
