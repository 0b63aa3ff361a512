/**
 * The real-time store in SQL, the same statements on PostgreSQL and PGlite.
 *
 * Exactly-once effect: a batch's dedupe inserts, aggregate upserts (minute,
 * hour and day) and the partition's next offset are written in one
 * transaction, under a row lock
 * on the offset, and records below the stored offset are skipped. A worker
 * killed at any point, or two workers briefly owning one partition during a
 * rebalance, can neither lose nor double a count. A batch the database
 * refuses for what its records contain throws `RecordsRefusedError`.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";
import { trimAggregates } from "./aggregate_retention.ts";
import { sendAggregateUpserts } from "./aggregate_sql.ts";
import { type AggregateRetention, DEFAULT_AGGREGATE_RETENTION, type Grain } from "./grain.ts";
import { migrate } from "./migrations.ts";
import { SHARED_READ_TTL_MS } from "./shared_reads.ts";
import { refusalOf } from "./refusal.ts";
import type { ApplyResult, RealtimeStore, RetentionReport, StreamBatch } from "./realtime_store.ts";
import { createSqlReads } from "./sql_reads.ts";
import {
  addDays,
  createDayPartitions,
  dayOf,
  DAYS_AHEAD,
  dropDaysBefore,
  insertFirstSeen,
} from "./seen_events.ts";
import type { SqlClient, SqlRunner } from "./sql_client.ts";

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

/** Options of {@linkcode createSqlRealtimeStore}. */
export interface SqlStoreOptions {
  /** Days before today whose event ids still count as seen (default 7). */
  dedupeRetentionDays?: number;
  /** How long the minute, hour and day rows are kept. */
  aggregateRetention?: AggregateRetention;
  /** The clock that names the day an event is counted on. */
  now?: () => Date;
  /** How long a read of each grain is shared by identical reads (default `SHARED_READ_TTL_MS`). */
  sharedReadTtlMs?: Readonly<Record<Grain, number>>;
}

/**
 * Builds the store on a SQL client.
 *
 * @param client PostgreSQL or PGlite.
 * @param kind Which one, for `/health` and the banner.
 * @param address Where it lives (no credentials).
 * @param options Retention and the clock.
 * @returns The store.
 */
export function createSqlRealtimeStore(
  client: SqlClient,
  kind: RealtimeStore["kind"],
  address: string,
  options: SqlStoreOptions = {},
): RealtimeStore {
  const {
    dedupeRetentionDays = 7,
    aggregateRetention = DEFAULT_AGGREGATE_RETENTION,
    now = () => new Date(),
    sharedReadTtlMs = SHARED_READ_TTL_MS,
  } = options;
  const ensured = new Set<string>();
  const reads = createSqlReads(client, { aggregateRetention, sharedReadTtlMs, now });

  async function ensureDays(today: string): Promise<string[]> {
    const days = Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => addDays(today, i));
    const created = await client.transaction((tx) => createDayPartitions(tx, days));
    for (const day of days) ensured.add(day);
    return created;
  }

  async function apply(batch: StreamBatch): Promise<ApplyResult> {
    try {
      return await _applyInTransaction(batch);
    } catch (error) {
      throw refusalOf(error) ?? error;
    }
  }

  async function _applyInTransaction(batch: StreamBatch): Promise<ApplyResult> {
    const today = dayOf(now());
    if (!ensured.has(today)) await ensureDays(today);
    return await client.transaction(async (tx) => {
      const stored = await _claimOffset(tx, batch);
      if (stored >= batch.nextOffset) {
        return { applied: 0, duplicates: 0, replayed: batch.pins.length };
      }
      const fresh = batch.pins.filter((item) => item.offset >= stored);
      const unique = new Map<string, CleanPin>();
      for (const { pin } of fresh) if (!unique.has(pin.event_id)) unique.set(pin.event_id, pin);
      const ids = [...unique.keys()];
      const receivedAt = [...unique.values()].map((pin) => pin.received_at);
      const seen = await insertFirstSeen(tx, ids, receivedAt, today, dedupeRetentionDays);
      const counted = [...unique.values()].filter((pin) => seen.has(pin.event_id));
      // The upserts and the offset go together; the transaction fails if any of them does.
      await Promise.all([
        ...sendAggregateUpserts(tx, counted),
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

  async function retain(at: Date): Promise<RetentionReport> {
    const today = dayOf(at);
    const created = await ensureDays(today);
    const before = addDays(today, -dedupeRetentionDays);
    const dropped = await dropDaysBefore(client, before, kind === "postgres");
    for (const day of dropped) ensured.delete(day);
    const aggregateRows = await trimAggregates(client, at, aggregateRetention);
    return { created, dropped, aggregateRows };
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
    async migrate() {
      const applied = await migrate(client);
      await ensureDays(dayOf(now()));
      return applied;
    },
    offsets,
    apply,
    retain,
    ...reads,
    health,
    close: () => client.close(),
  };
}
