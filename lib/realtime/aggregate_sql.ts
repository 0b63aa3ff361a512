/**
 * The aggregate tables at each grain (`profile_minute`, `profile_hour`,
 * `profile_day`, and the same for categories and totals) and the upserts a
 * batch makes into them. The roll-ups are written in the batch's own
 * transaction, so they are exact, late events included, and need no
 * catch-up pass.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";
import { aggregateMinutes, type MinuteAggregates, rollUp } from "./aggregate.ts";
import { type Grain, GRAINS } from "./grain.ts";
import type { SqlRunner } from "./sql_client.ts";

/** The views kept per grain. */
export const AGGREGATE_KINDS = ["profile", "category", "total"] as const;

/** One aggregate table. */
export type AggregateKind = typeof AGGREGATE_KINDS[number];

/**
 * An aggregate table's name; its time column is named after the grain.
 *
 * @param kind The view.
 * @param grain The grain.
 * @returns E.g. `profile_hour`.
 */
export function aggregateTable(kind: AggregateKind, grain: Grain): string {
  return `${kind}_${grain}`;
}

function _ddl(grain: Grain): string {
  return `
    CREATE TABLE profile_${grain} (
      ${grain}       timestamptz NOT NULL,
      poster_name    text        NOT NULL,
      events         integer     NOT NULL,
      follower_count bigint,
      follower_time  timestamptz,
      PRIMARY KEY (${grain}, poster_name)
    );
    CREATE TABLE category_${grain} (
      ${grain} timestamptz NOT NULL,
      category text        NOT NULL,
      events   integer     NOT NULL,
      images   integer     NOT NULL,
      videos   integer     NOT NULL,
      PRIMARY KEY (${grain}, category)
    );
    CREATE TABLE total_${grain} (
      ${grain} timestamptz PRIMARY KEY,
      events   integer     NOT NULL,
      images   integer     NOT NULL,
      videos   integer     NOT NULL
    )`;
}

/** The DDL of the hourly and daily tables (migration 4). */
export const ROLLUP_TABLES_DDL = `${_ddl("hour")};${_ddl("day")}`;

/**
 * Statements that fill the hourly and daily tables from the minute rows
 * (migration 4, for a store that has minutes already).
 */
export function rollUpMinutesSql(): string[] {
  return (["hour", "day"] as const).flatMap((grain) => [
    `INSERT INTO profile_${grain} (${grain}, poster_name, events, follower_count, follower_time)
     SELECT date_trunc('${grain}', minute, 'UTC'), poster_name, sum(events),
       (array_agg(follower_count ORDER BY follower_time DESC NULLS LAST,
                  follower_count DESC NULLS LAST))[1],
       max(follower_time)
     FROM profile_minute GROUP BY 1, 2`,
    `INSERT INTO category_${grain} (${grain}, category, events, images, videos)
     SELECT date_trunc('${grain}', minute, 'UTC'), category, sum(events), sum(images), sum(videos)
     FROM category_minute GROUP BY 1, 2`,
    `INSERT INTO total_${grain} (${grain}, events, images, videos)
     SELECT date_trunc('${grain}', minute, 'UTC'), sum(events), sum(images), sum(videos)
     FROM total_minute GROUP BY 1`,
  ]);
}

// Times go to the database as text (`$1::text[]::timestamptz[]`), so that it, not a driver's
// client-side conversion, judges them: a time it cannot hold is a refusal like any other.
function _upserts(grain: Grain) {
  const p = `profile_${grain}`;
  const newer = `excluded.follower_time IS NOT NULL AND (
    ${p}.follower_time IS NULL
    OR excluded.follower_time > ${p}.follower_time
    OR (excluded.follower_time = ${p}.follower_time AND excluded.follower_count > ${p}.follower_count))`;
  const sums = (table: string) =>
    `events = ${table}.events + excluded.events, images = ${table}.images + excluded.images,
     videos = ${table}.videos + excluded.videos`;
  return {
    profiles: `
      INSERT INTO ${p} (${grain}, poster_name, events, follower_count, follower_time)
      SELECT * FROM unnest($1::text[]::timestamptz[], $2::text[], $3::int[], $4::bigint[],
        $5::text[]::timestamptz[])
      ON CONFLICT (${grain}, poster_name) DO UPDATE SET
        events = ${p}.events + excluded.events,
        follower_count = CASE WHEN ${newer} THEN excluded.follower_count ELSE ${p}.follower_count END,
        follower_time = CASE WHEN ${newer} THEN excluded.follower_time ELSE ${p}.follower_time END`,
    categories: `
      INSERT INTO category_${grain} (${grain}, category, events, images, videos)
      SELECT * FROM unnest($1::text[]::timestamptz[], $2::text[], $3::int[], $4::int[], $5::int[])
      ON CONFLICT (${grain}, category) DO UPDATE SET ${sums(`category_${grain}`)}`,
    totals: `
      INSERT INTO total_${grain} (${grain}, events, images, videos)
      SELECT * FROM unnest($1::text[]::timestamptz[], $2::int[], $3::int[], $4::int[])
      ON CONFLICT (${grain}) DO UPDATE SET ${sums(`total_${grain}`)}`,
  };
}

const UPSERTS = Object.fromEntries(
  GRAINS.map((spec) => [spec.name, _upserts(spec.name)]),
) as Record<
  Grain,
  ReturnType<typeof _upserts>
>;

// Sorts on keys computed once per row, not once per comparison.
function _byKey<T>(rows: T[], key: (row: T) => string): T[] {
  const keyed = rows.map((row) => ({ key: key(row), row }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((item) => item.row);
}

type _Statement = [sql: string, params: unknown[][]];

function _profileUpsert(grain: Grain, rows: MinuteAggregates): _Statement[] {
  if (rows.profiles.length === 0) return [];
  const sorted = _byKey(rows.profiles, (row) => `${row.minute}\u0000${row.poster_name}`);
  return [[UPSERTS[grain].profiles, [
    sorted.map((row) => row.minute),
    sorted.map((row) => row.poster_name),
    sorted.map((row) => row.events),
    sorted.map((row) => row.follower_count),
    sorted.map((row) => row.follower_time),
  ]]];
}

function _categoryUpsert(grain: Grain, rows: MinuteAggregates): _Statement[] {
  if (rows.categories.length === 0) return [];
  const sorted = _byKey(rows.categories, (row) => `${row.minute}\u0000${row.category}`);
  return [[UPSERTS[grain].categories, [
    sorted.map((row) => row.minute),
    sorted.map((row) => row.category),
    sorted.map((row) => row.events),
    sorted.map((row) => row.images),
    sorted.map((row) => row.videos),
  ]]];
}

function _totalUpsert(grain: Grain, rows: MinuteAggregates): _Statement[] {
  if (rows.totals.length === 0) return [];
  const sorted = _byKey(rows.totals, (row) => row.minute);
  return [[UPSERTS[grain].totals, [
    sorted.map((row) => row.minute),
    sorted.map((row) => row.events),
    sorted.map((row) => row.images),
    sorted.map((row) => row.videos),
  ]]];
}

/**
 * Sends the upserts adding counted pins to the minute, hour and day tables,
 * pipelined: the statements go together and run in order. The order is fixed
 * (table, grain, then key), which keeps concurrent partitions free of
 * deadlocks, and the totals, whose rows every partition shares, come last so
 * their locks are held for the shortest time before the commit.
 *
 * @param tx The batch's transaction.
 * @param pins Pins counted for the first time.
 * @returns One promise per statement sent; await them all before committing.
 */
export function sendAggregateUpserts(tx: SqlRunner, pins: CleanPin[]): Promise<unknown>[] {
  const minutes = aggregateMinutes(pins);
  const byGrain: Record<Grain, MinuteAggregates> = {
    minute: minutes,
    hour: rollUp(minutes, "hour"),
    day: rollUp(minutes, "day"),
  };
  const statements = [_profileUpsert, _categoryUpsert, _totalUpsert].flatMap((build) =>
    GRAINS.flatMap((spec) => build(spec.name, byGrain[spec.name]))
  );
  return statements.map(([sql, params]) => tx.query(sql, params));
}
