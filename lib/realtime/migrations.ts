/**
 * The real-time schema as versioned migrations, applied at start-up in
 * order, each once, under an advisory lock so concurrent workers agree.
 *
 * @module
 */

import { ROLLUP_TABLES_DDL, rollUpMinutesSql } from "./aggregate_sql.ts";
import { addDays, createDayPartitions, SEEN_EVENTS_DDL } from "./seen_events.ts";
import type { SqlClient, SqlRunner } from "./sql_client.ts";

/** One schema change. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: a change that depends on the data. */
  after?: (tx: SqlRunner) => Promise<void>;
}

/**
 * Moves the ids of the single-table layout into day partitions: each id
 * goes to the UTC day it was received (`seen_at`), days created as needed.
 */
async function _moveSeenIds(tx: SqlRunner): Promise<void> {
  const [range] = await tx.query<{ first: string | null; last: string | null }>(
    `SELECT to_char(min(seen_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS first,
       to_char(max(seen_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last
     FROM seen_events_unpartitioned`,
  );
  if (range?.first && range.last) {
    const days: string[] = [];
    for (let day = range.first; day <= range.last; day = addDays(day, 1)) days.push(day);
    await createDayPartitions(tx, days);
    await tx.query(
      `INSERT INTO seen_events (event_id, seen_at, counted_at, seen_day)
       SELECT event_id, seen_at, counted_at, (seen_at AT TIME ZONE 'UTC')::date
       FROM seen_events_unpartitioned`,
    );
  }
  await tx.query("DROP TABLE seen_events_unpartitioned");
}

/** The migrations, oldest first. Never edit a released one: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "offsets, dedupe and minute aggregates",
    sql: `
      CREATE TABLE stream_offsets (
        group_id    text        NOT NULL,
        topic       text        NOT NULL,
        partition   integer     NOT NULL,
        next_offset bigint      NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, topic, partition)
      );
      CREATE TABLE seen_events (
        event_id text        PRIMARY KEY,
        seen_at  timestamptz NOT NULL
      );
      CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
      CREATE TABLE profile_minute (
        minute         timestamptz NOT NULL,
        poster_name    text        NOT NULL,
        events         integer     NOT NULL,
        follower_count bigint,
        follower_time  timestamptz,
        PRIMARY KEY (minute, poster_name)
      );
      CREATE TABLE category_minute (
        minute   timestamptz NOT NULL,
        category text        NOT NULL,
        events   integer     NOT NULL,
        images   integer     NOT NULL,
        videos   integer     NOT NULL,
        PRIMARY KEY (minute, category)
      );
      CREATE TABLE total_minute (
        minute timestamptz PRIMARY KEY,
        events integer     NOT NULL,
        images integer     NOT NULL,
        videos integer     NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "when each event was counted, for freshness",
    // The database stamps each newly seen event as it is counted (rows seen before this version
    // keep null), so freshness survives a restart of any process without the stream job's code
    // writing it.
    sql: `
      ALTER TABLE seen_events ADD COLUMN counted_at timestamptz;
      ALTER TABLE seen_events ALTER COLUMN counted_at SET DEFAULT clock_timestamp();
      CREATE INDEX seen_events_counted_at ON seen_events (counted_at) WHERE counted_at IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: "event ids partitioned by the day they were counted",
    sql: `
      ALTER TABLE seen_events RENAME TO seen_events_unpartitioned;
      ALTER INDEX seen_events_pkey RENAME TO seen_events_unpartitioned_pkey;
      ALTER INDEX seen_events_seen_at RENAME TO seen_events_unpartitioned_seen_at;
      ALTER INDEX seen_events_counted_at RENAME TO seen_events_unpartitioned_counted_at;
      ${SEEN_EVENTS_DDL}
    `,
    after: _moveSeenIds,
  },
  {
    version: 4,
    name: "hourly and daily roll-ups of the minute aggregates",
    sql: ROLLUP_TABLES_DDL,
    after: async (tx) => {
      for (const statement of rollUpMinutesSql()) await tx.query(statement);
    },
  },
];

const LOCK_KEY = 72_710_001;

/**
 * Applies the migrations not applied yet.
 *
 * @param client The database.
 * @param through The last version to apply (default: all), e.g. to build an older layout.
 * @returns The versions applied by this call.
 */
export async function migrate(client: SqlClient, through = Infinity): Promise<number[]> {
  return await client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK_KEY})`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version) || migration.version > through) continue;
      for (const statement of migration.sql.split(";").map((s) => s.trim()).filter(Boolean)) {
        await tx.query(statement);
      }
      await migration.after?.(tx);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    return applied;
  });
}
