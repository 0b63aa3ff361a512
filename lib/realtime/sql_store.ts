/**
 * The real-time store in SQL, the same statements on PostgreSQL and PGlite.
 *
 * Exactly-once effect: a batch's dedupe inserts, aggregate upserts and the
 * partition's next offset are written in one transaction, under a row lock
 * on the offset, and records below the stored offset are skipped. A worker
 * killed at any point, or two workers briefly owning one partition during a
 * rebalance, can neither lose nor double a count. A batch the database
 * refuses for what its records contain throws `RecordsRefusedError`.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";
import { aggregateMinutes, minuteOf } from "./aggregate.ts";
import { migrate } from "./migrations.ts";
import { refusalOf } from "./refusal.ts";
import type {
  ApplyResult,
  CategoryRow,
  ProfileRow,
  RealtimeStore,
  StreamBatch,
  SummaryView,
  Window,
} from "./realtime_store.ts";
import type { SqlClient, SqlRunner } from "./sql_client.ts";

const NEWER = `excluded.follower_time IS NOT NULL AND (
  profile_minute.follower_time IS NULL
  OR excluded.follower_time > profile_minute.follower_time
  OR (excluded.follower_time = profile_minute.follower_time
      AND excluded.follower_count > profile_minute.follower_count))`;

const UPSERT_PROFILES = `
  INSERT INTO profile_minute (minute, poster_name, events, follower_count, follower_time)
  SELECT * FROM unnest($1::text[]::timestamptz[], $2::text[], $3::int[], $4::bigint[],
    $5::text[]::timestamptz[])
  ON CONFLICT (minute, poster_name) DO UPDATE SET
    events = profile_minute.events + excluded.events,
    follower_count = CASE WHEN ${NEWER} THEN excluded.follower_count ELSE profile_minute.follower_count END,
    follower_time = CASE WHEN ${NEWER} THEN excluded.follower_time ELSE profile_minute.follower_time END`;

const UPSERT_CATEGORIES = `
  INSERT INTO category_minute (minute, category, events, images, videos)
  SELECT * FROM unnest($1::text[]::timestamptz[], $2::text[], $3::int[], $4::int[], $5::int[])
  ON CONFLICT (minute, category) DO UPDATE SET
    events = category_minute.events + excluded.events,
    images = category_minute.images + excluded.images,
    videos = category_minute.videos + excluded.videos`;

const UPSERT_TOTALS = `
  INSERT INTO total_minute (minute, events, images, videos)
  SELECT * FROM unnest($1::text[]::timestamptz[], $2::int[], $3::int[], $4::int[])
  ON CONFLICT (minute) DO UPDATE SET
    events = total_minute.events + excluded.events,
    images = total_minute.images + excluded.images,
    videos = total_minute.videos + excluded.videos`;

// Times go to the database as text (`$1::text[]::timestamptz[]`), so that it, not a driver's
// client-side conversion, judges them: a time it cannot hold is a refusal like any other.
const ISO_MINUTE = `to_char(minute AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`;

function _bounds(window: Window): [string, string] {
  const until = new Date(Date.parse(minuteOf(window.until.toISOString())) + 60_000);
  return [minuteOf(window.since.toISOString()), until.toISOString()];
}

function _byKey<T>(rows: T[], key: (row: T) => string): T[] {
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// Creates the partition's offset row when missing and locks it (as FOR UPDATE would), in one
// round trip: the no-op update takes the row lock and returns the latest committed offset.
async function _claimOffset(tx: SqlRunner, batch: StreamBatch): Promise<number> {
  const [row] = await tx.query<{ next: string }>(
    `INSERT INTO stream_offsets (group_id, topic, partition, next_offset)
     VALUES ($1, $2, $3, 0)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = stream_offsets.next_offset
     RETURNING next_offset::text AS next`,
    [batch.group, batch.topic, batch.partition],
  );
  return Number(row!.next);
}

async function _firstSeen(tx: SqlRunner, pins: CleanPin[]): Promise<Set<string>> {
  if (pins.length === 0) return new Set();
  const rows = await tx.query<{ event_id: string }>(
    `INSERT INTO seen_events (event_id, seen_at)
     SELECT * FROM unnest($1::text[], $2::text[]::timestamptz[])
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [pins.map((pin) => pin.event_id), pins.map((pin) => pin.received_at)],
  );
  return new Set(rows.map((row) => row.event_id));
}

// The aggregate upserts, sent together (pipelined: one round trip, run in this order).
function _upsert(tx: SqlRunner, pins: CleanPin[]): Array<Promise<unknown>> {
  const { profiles, categories, totals } = aggregateMinutes(pins);
  const sent: Array<Promise<unknown>> = [];
  // A fixed lock order (table, then key) keeps concurrent partitions free of deadlocks.
  if (profiles.length > 0) {
    const rows = _byKey(profiles, (row) => `${row.minute}\u0000${row.poster_name}`);
    sent.push(tx.query(UPSERT_PROFILES, [
      rows.map((row) => row.minute),
      rows.map((row) => row.poster_name),
      rows.map((row) => row.events),
      rows.map((row) => row.follower_count),
      rows.map((row) => row.follower_time),
    ]));
  }
  if (categories.length > 0) {
    const rows = _byKey(categories, (row) => `${row.minute}\u0000${row.category}`);
    sent.push(tx.query(UPSERT_CATEGORIES, [
      rows.map((row) => row.minute),
      rows.map((row) => row.category),
      rows.map((row) => row.events),
      rows.map((row) => row.images),
      rows.map((row) => row.videos),
    ]));
  }
  if (totals.length > 0) {
    const rows = _byKey(totals, (row) => row.minute);
    sent.push(tx.query(UPSERT_TOTALS, [
      rows.map((row) => row.minute),
      rows.map((row) => row.events),
      rows.map((row) => row.images),
      rows.map((row) => row.videos),
    ]));
  }
  return sent;
}

/** The most steps a series may have. */
const MAX_STEPS = 10_000;

/**
 * Builds the store on a SQL client.
 *
 * @param client PostgreSQL or PGlite.
 * @param kind Which one, for `/health` and the banner.
 * @param address Where it lives (no credentials).
 * @returns The store.
 */
export function createSqlRealtimeStore(
  client: SqlClient,
  kind: RealtimeStore["kind"],
  address: string,
): RealtimeStore {
  async function apply(batch: StreamBatch): Promise<ApplyResult> {
    try {
      return await _applyInTransaction(batch);
    } catch (error) {
      throw refusalOf(error) ?? error;
    }
  }

  async function _applyInTransaction(batch: StreamBatch): Promise<ApplyResult> {
    return await client.transaction(async (tx) => {
      const stored = await _claimOffset(tx, batch);
      if (stored >= batch.nextOffset) {
        return { applied: 0, duplicates: 0, replayed: batch.pins.length };
      }
      const fresh = batch.pins.filter((item) => item.offset >= stored);
      const unique = new Map<string, CleanPin>();
      for (const { pin } of fresh) if (!unique.has(pin.event_id)) unique.set(pin.event_id, pin);
      const seen = await _firstSeen(tx, [...unique.values()]);
      const counted = [...unique.values()].filter((pin) => seen.has(pin.event_id));
      // The upserts and the offset go together; the transaction fails if any of them does.
      await Promise.all([
        ..._upsert(tx, counted),
        tx.query(
          `UPDATE stream_offsets SET next_offset = $4, updated_at = now()
           WHERE group_id = $1 AND topic = $2 AND partition = $3`,
          [batch.group, batch.topic, batch.partition, batch.nextOffset],
        ),
      ]);
      return {
        applied: counted.length,
        duplicates: fresh.length - counted.length,
        replayed: batch.pins.length - fresh.length,
      };
    });
  }

  async function offsets(group: string, topic: string): Promise<Map<number, number>> {
    const rows = await client.query<{ partition: number; next: string }>(
      `SELECT partition, next_offset::text AS next FROM stream_offsets
       WHERE group_id = $1 AND topic = $2`,
      [group, topic],
    );
    return new Map(rows.map((row) => [Number(row.partition), Number(row.next)]));
  }

  async function pruneSeen(before: Date): Promise<number> {
    const rows = await client.query<{ n: number }>(
      `WITH gone AS (DELETE FROM seen_events WHERE seen_at < $1 RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [before.toISOString()],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async function topProfiles(window: Window, limit: number): Promise<ProfileRow[]> {
    const rows = await client.query<ProfileRow>(
      `SELECT poster_name, sum(events)::float8 AS events,
         (array_agg(follower_count ORDER BY follower_time DESC NULLS LAST,
                    follower_count DESC NULLS LAST))[1]::float8 AS follower_count
       FROM profile_minute WHERE minute >= $1 AND minute < $2
       GROUP BY poster_name ORDER BY events DESC, poster_name LIMIT $3`,
      [..._bounds(window), limit],
    );
    return rows.map((row) => ({ ...row, events: Number(row.events) }));
  }

  async function categories(window: Window): Promise<CategoryRow[]> {
    return await client.query<CategoryRow>(
      `SELECT category, sum(events)::float8 AS events, sum(images)::float8 AS images,
         sum(videos)::float8 AS videos
       FROM category_minute WHERE minute >= $1 AND minute < $2
       GROUP BY category ORDER BY events DESC, category`,
      _bounds(window),
    );
  }

  async function summary(window: Window): Promise<SummaryView> {
    const minutes = await client.query<SummaryView["minutes"][number]>(
      `SELECT ${ISO_MINUTE} AS minute, events, images, videos FROM total_minute
       WHERE minute >= $1 AND minute < $2 ORDER BY minute`,
      _bounds(window),
    );
    const sum = (key: "events" | "images" | "videos") =>
      minutes.reduce((total, row) => total + Number(row[key]), 0);
    return { events: sum("events"), images: sum("images"), videos: sum("videos"), minutes };
  }

  async function series(window: Window, stepMinutes: number): ReturnType<RealtimeStore["series"]> {
    const [since, until] = _bounds(window);
    const stepMs = stepMinutes * 60_000;
    const start = Math.floor(Date.parse(since) / stepMs) * stepMs;
    const steps = Math.max(0, Math.ceil((Date.parse(until) - start) / stepMs));
    if (!Number.isInteger(stepMinutes) || stepMinutes < 1 || steps > MAX_STEPS) {
      throw new RangeError(
        `Cannot read a series in steps of ${stepMinutes} minutes: expected a positive integer ` +
          `giving at most ${MAX_STEPS} steps over the window, not ${steps}`,
      );
    }
    const rows = await client.query<{ step: number; events: number }>(
      `SELECT floor((extract(epoch FROM minute)::float8 - $3::float8) / $4::float8)::int AS step,
         sum(events)::float8 AS events
       FROM total_minute WHERE minute >= $1 AND minute < $2 GROUP BY 1`,
      [since, until, start / 1000, stepMs / 1000],
    );
    const events = new Array<number>(steps).fill(0);
    for (const row of rows) events[Number(row.step)] = Number(row.events);
    return { start: new Date(start).toISOString(), stepMinutes, events };
  }

  async function freshness(latest: number): ReturnType<RealtimeStore["freshness"]> {
    const [row] = await client.query<
      { observations: number; p50: number; p95: number; counted_at: string | Date | null }
    >(
      `SELECT count(*)::int AS observations,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::float8 AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds)::float8 AS p95,
         max(counted_at) AS counted_at
       FROM (SELECT counted_at, greatest(0, extract(epoch FROM counted_at - seen_at))::float8 AS seconds
             FROM seen_events WHERE counted_at IS NOT NULL
             ORDER BY counted_at DESC LIMIT $1) AS recent`,
      [latest],
    );
    if (!row || Number(row.observations) === 0 || row.counted_at === null) return null;
    return {
      p50Seconds: Number(row.p50),
      p95Seconds: Number(row.p95),
      observations: Number(row.observations),
      countedAt: new Date(row.counted_at),
    };
  }

  async function health() {
    try {
      await client.query("SELECT 1");
      return { ok: true, detail: `${kind} at ${address}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  return {
    kind,
    address,
    migrate: () => migrate(client),
    offsets,
    apply,
    pruneSeen,
    topProfiles,
    categories,
    summary,
    series,
    freshness,
    health,
    close: () => client.close(),
  };
}
