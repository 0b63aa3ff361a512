/**
 * Replacing one batch day's contribution to the Cassandra aggregates, rows
 * of one partition written together as unlogged batches:
 * delete the derived rows the old contribution had that the new one lacks,
 * upsert the new ones, recompute the totals of changed profiles from their
 * per-day rows (no counters: counters are not idempotent), and replace the
 * day's contribution partition last, so a run that stops half-way is redone
 * whole by the next.
 *
 * Days run at once on many machines, so nothing one day writes may undo
 * another's. The year views hold one row per (event date, key, batch day)
 * and are summed when read: a day writes and deletes only its own rows. A
 * profile's total is read-modify-write over its days, so it is recomputed
 * under the lease `profiles/<category>`: the last recompute of a profile
 * starts after every day's rows of it are written, and sees them all.
 *
 * @module
 */

import type { ProfileCount } from "./history_store.ts";
import { type Cql, cqlNumber } from "./_cql.ts";
import type { Exclusive } from "./_lease_section.ts";

/** The event year of a `YYYY-MM-DD` date. */
export function eventYear(date: string): number {
  return Number(date.slice(0, 4));
}

function _profileKey(p: { category: string; poster_name: string }): string {
  return `${p.category}\u0000${p.poster_name}`;
}

/**
 * Replaces batch day `day`'s profile contribution and recomputes changed
 * profile totals, each category's under its lease.
 */
export async function replaceProfiles(
  cql: Cql,
  ks: string,
  day: string,
  next: ProfileCount[],
  exclusive: Exclusive,
): Promise<void> {
  const { query, many, rows } = cql;
  const old = await rows(
    `SELECT category, poster_name, pins, follower_count FROM ${ks}.day_profiles WHERE dt = ?`,
    [day],
  );
  const before = new Map(old.map((row) => [
    _profileKey({ category: row.get("category"), poster_name: row.get("poster_name") }),
    `${cqlNumber(row.get("pins"))}/${row.get("follower_count") ?? ""}`,
  ]));
  const after = new Map(next.map((p) => [_profileKey(p), `${p.pins}/${p.follower_count ?? ""}`]));
  const changed = new Set<string>();
  for (const [key, value] of before) if (after.get(key) !== value) changed.add(key);
  for (const [key, value] of after) if (before.get(key) !== value) changed.add(key);
  const gone = [...before.keys()].filter((key) => !after.has(key));
  await many(
    `DELETE FROM ${ks}.profile_days WHERE category = ? AND poster_name = ? AND dt = ?`,
    gone.map((key) => [...key.split("\u0000"), day]),
  );
  await many(
    `INSERT INTO ${ks}.profile_days (category, poster_name, dt, pins, follower_count) VALUES (?, ?, ?, ?, ?)`,
    next.filter((p) => changed.has(_profileKey(p)))
      .map((p) => [p.category, p.poster_name, day, p.pins, p.follower_count]),
  );
  const byCategory = new Map<string, string[]>();
  for (const key of changed) {
    const category = key.split("\u0000")[0]!;
    byCategory.set(category, [...byCategory.get(category) ?? [], key]);
  }
  for (const [category, keys] of [...byCategory].sort(([a], [b]) => a < b ? -1 : 1)) {
    await exclusive(`profiles/${category}`, () => _recomputeTotals(cql, ks, keys));
  }
  await query(`DELETE FROM ${ks}.day_profiles WHERE dt = ?`, [day]);
  await cql.partitionBatches(
    `INSERT INTO ${ks}.day_profiles (dt, category, poster_name, pins, follower_count) VALUES (?, ?, ?, ?, ?)`,
    next.map((p) => [day, p.category, p.poster_name, p.pins, p.follower_count]),
    () => day,
  );
}

/** Posters read per `IN` query when recomputing totals. */
const POSTERS_PER_READ = 100;

/**
 * Recomputes the totals of profiles (keys of `_profileKey`, all of one category) from their
 * per-day rows: read `POSTERS_PER_READ` profiles a query, write the totals as unlogged
 * batches of the category's partition.
 */
async function _recomputeTotals(cql: Cql, ks: string, keys: string[]): Promise<void> {
  const { many, rows, partitionBatches, concurrency } = cql;
  const category = keys[0]!.split("\u0000")[0]!;
  const posters = keys.map((key) => key.split("\u0000")[1]!);
  const chunks: string[][] = [];
  for (let i = 0; i < posters.length; i += POSTERS_PER_READ) {
    chunks.push(posters.slice(i, i + POSTERS_PER_READ));
  }
  const totals = new Map<string, { pins: number; followers: number | null }>();
  let next = 0;
  const reader = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const days = await rows(
        `SELECT poster_name, pins, follower_count FROM ${ks}.profile_days ` +
          `WHERE category = ? AND poster_name IN ?`,
        [category, chunk],
      );
      for (const row of days) {
        const poster: string = row.get("poster_name");
        const total = totals.get(poster) ?? { pins: 0, followers: null };
        total.pins += cqlNumber(row.get("pins"));
        const count = row.get("follower_count");
        if (count !== null && (total.followers === null || Number(count) > total.followers)) {
          total.followers = Number(count);
        }
        totals.set(poster, total);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, reader));
  await many(
    `DELETE FROM ${ks}.category_profiles WHERE category = ? AND poster_name = ?`,
    posters.filter((poster) => !totals.has(poster)).map((poster) => [category, poster]),
  );
  await partitionBatches(
    `INSERT INTO ${ks}.category_profiles (category, poster_name, pins, follower_count) VALUES (?, ?, ?, ?)`,
    [...totals].map(([poster, total]) => [category, poster, total.pins, total.followers]),
    () => category,
  );
}

/** Replaces batch day `day`'s per-day contribution to the category or media year views. */
export async function replaceCounts(
  cql: Cql,
  ks: string,
  day: string,
  kind: "categories" | "media",
  next: Array<{ event_date: string; key: string; pins: number }>,
): Promise<void> {
  const { query, many, rows } = cql;
  const column = kind === "categories" ? "category" : "media_type";
  const old = await rows(
    `SELECT event_date, ${column} FROM ${ks}.day_${kind} WHERE dt = ?`,
    [day],
  );
  const fresh = new Set(next.map((item) => `${item.event_date}\u0000${item.key}`));
  await many(
    `DELETE FROM ${ks}.year_${kind} WHERE year = ? AND event_date = ? AND ${column} = ? AND dt = ?`,
    old.filter((row) => !fresh.has(`${row.get("event_date")}\u0000${row.get(column)}`))
      .map((
        row,
      ) => [eventYear(row.get("event_date")), row.get("event_date"), row.get(column), day]),
  );
  await cql.partitionBatches(
    `INSERT INTO ${ks}.year_${kind} (year, event_date, ${column}, dt, pins) VALUES (?, ?, ?, ?, ?)`,
    next.map((item) => [eventYear(item.event_date), item.event_date, item.key, day, item.pins]),
    (params) => String(params[0]),
  );
  await query(`DELETE FROM ${ks}.day_${kind} WHERE dt = ?`, [day]);
  await cql.partitionBatches(
    `INSERT INTO ${ks}.day_${kind} (dt, event_date, ${column}, pins) VALUES (?, ?, ?, ?)`,
    next.map((item) => [day, item.event_date, item.key, item.pins]),
    () => day,
  );
}
