/**
 * The deduplication state: `seen_events`, partitioned by the UTC day an
 * event was counted (`seen_day`), one table per day, so that forgetting a
 * day is dropping its table and the cost of a lookup does not grow with the
 * ids stored.
 *
 * A primary key on a partitioned table must hold the partition key, so the
 * key `(event_id, seen_day)` is unique within a day only. A batch's ids are
 * therefore looked up in the earlier days of the window first (partitions
 * named by literal bounds, so that the planner touches only those), then
 * inserted into today's partition with `ON CONFLICT DO NOTHING`, which also
 * settles two concurrent transactions counting the same id on one day.
 *
 * @module
 */

import type { SqlClient, SqlRunner } from "./sql_client.ts";

const DAY_MS = 86_400_000;
const PARTITION_LOCK_KEY = 72_710_002;

/** Days created ahead of today, so that a day's first batch finds its partition. */
export const DAYS_AHEAD = 2;

/**
 * The UTC day of an instant.
 *
 * @param at The instant.
 * @returns `YYYY-MM-DD`.
 */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/**
 * A day some days after another.
 *
 * @param day `YYYY-MM-DD`.
 * @param days Days to add (negative: before).
 * @returns `YYYY-MM-DD`.
 */
export function addDays(day: string, days: number): string {
  return dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
}

/**
 * The table holding one day's ids.
 *
 * @param day `YYYY-MM-DD`.
 * @returns E.g. `seen_events_p20261126`.
 */
export function partitionName(day: string): string {
  return `seen_events_p${day.replaceAll("-", "")}`;
}

function _dayOfPartition(name: string): string | null {
  const match = /^seen_events_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : null;
}

/** The DDL of the partitioned table (the layout of migration 3). */
export const SEEN_EVENTS_DDL = `
  CREATE TABLE seen_events (
    event_id   text        NOT NULL,
    seen_at    timestamptz NOT NULL,
    counted_at timestamptz DEFAULT clock_timestamp(),
    seen_day   date        NOT NULL,
    PRIMARY KEY (event_id, seen_day)
  ) PARTITION BY RANGE (seen_day);
  CREATE INDEX seen_events_counted_at ON seen_events (counted_at) WHERE counted_at IS NOT NULL`;

/**
 * Creates the partitions of the given days that do not exist yet. A new day
 * is created as a plain table and then attached, which locks the parent in
 * SHARE UPDATE EXCLUSIVE mode only: the stream's inserts go on meanwhile.
 *
 * @param tx A transaction (the advisory lock serialises concurrent callers).
 * @param days `YYYY-MM-DD` days.
 * @returns The days created.
 */
export async function createDayPartitions(tx: SqlRunner, days: string[]): Promise<string[]> {
  await tx.query(`SELECT pg_advisory_xact_lock(${PARTITION_LOCK_KEY})`);
  const existing = new Set((await listDayPartitions(tx)).map((part) => part.day));
  const created: string[] = [];
  for (const day of days) {
    if (existing.has(day)) continue;
    const name = partitionName(day);
    await tx.query(`CREATE TABLE ${name} (LIKE seen_events INCLUDING DEFAULTS)`);
    await tx.query(
      `ALTER TABLE seen_events ATTACH PARTITION ${name}
       FOR VALUES FROM ('${day}') TO ('${addDays(day, 1)}')`,
    );
    created.push(day);
  }
  return created;
}

/** One day's table and whether it is still (fully) attached. */
export interface DayPartition {
  day: string;
  name: string;
  /** Attached and not being detached. */
  attached: boolean;
  /** Left half-detached by an interrupted `DETACH ... CONCURRENTLY`. */
  detachPending: boolean;
}

/**
 * The day tables in the current schema, attached or not, oldest first.
 *
 * @param runner The database.
 */
export async function listDayPartitions(runner: SqlRunner): Promise<DayPartition[]> {
  const rows = await runner.query<{ name: string; attached: boolean; pending: boolean }>(
    `SELECT c.relname AS name, i.inhrelid IS NOT NULL AS attached,
       coalesce(i.inhdetachpending, false) AS pending
     FROM pg_class c
     LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND i.inhparent = 'seen_events'::regclass
     WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
       AND c.relname LIKE 'seen\\_events\\_p%'
     ORDER BY c.relname`,
  );
  return rows.flatMap((row) => {
    const day = _dayOfPartition(row.name);
    if (day === null) return [];
    return [{
      day,
      name: row.name,
      attached: row.attached && !row.pending,
      detachPending: row.pending,
    }];
  });
}

/**
 * Forgets every day before `before` by dropping its table. On PostgreSQL a
 * table is first detached CONCURRENTLY (the parent is locked in SHARE UPDATE
 * EXCLUSIVE mode, never ACCESS EXCLUSIVE as a plain DROP would), then
 * dropped once no transaction uses it; on PGlite, one connection, it is
 * dropped directly.
 *
 * @param client The database (not a transaction: a concurrent detach cannot run in one).
 * @param before `YYYY-MM-DD`: days before it are dropped.
 * @param concurrently Detach concurrently first (PostgreSQL).
 * @returns The days dropped.
 */
export async function dropDaysBefore(
  client: SqlClient,
  before: string,
  concurrently: boolean,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const part of await listDayPartitions(client)) {
    if (part.day >= before) continue;
    if (part.detachPending) {
      await client.query(`ALTER TABLE seen_events DETACH PARTITION ${part.name} FINALIZE`);
    } else if (part.attached && concurrently) {
      await client.query(`ALTER TABLE seen_events DETACH PARTITION ${part.name} CONCURRENTLY`);
    }
    await client.query(`DROP TABLE ${part.name}`);
    dropped.push(part.day);
  }
  return dropped;
}

/**
 * Records a batch's event ids as counted today and returns those not seen
 * before within the window: in none of the days from `today - windowDays`
 * to yesterday, and not yet today.
 *
 * @param tx The batch's transaction.
 * @param ids Event ids, each once.
 * @param seenAt Each id's `received_at`, ISO-8601.
 * @param today The counting day, `YYYY-MM-DD` (its partition must exist).
 * @param windowDays How many days before today are looked up.
 * @returns The ids counted for the first time.
 */
export async function insertFirstSeen(
  tx: SqlRunner,
  ids: string[],
  seenAt: string[],
  today: string,
  windowDays: number,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const from = addDays(today, -windowDays);
  // Literal days (built from dates, never from input) let the planner prune to the window's days.
  const rows = await tx.query<{ event_id: string }>(
    `INSERT INTO seen_events (event_id, seen_at, seen_day)
     SELECT b.event_id, b.seen_at, '${today}'::date
     FROM unnest($1::text[], $2::text[]::timestamptz[]) AS b(event_id, seen_at)
     WHERE NOT EXISTS (
       SELECT 1 FROM seen_events s
       WHERE s.event_id = b.event_id AND s.seen_day >= '${from}' AND s.seen_day < '${today}')
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [ids, seenAt],
  );
  return new Set(rows.map((row) => row.event_id));
}
