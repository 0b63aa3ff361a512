/**
 * Retention of the aggregate tables: rows of each grain older than its
 * retention are deleted, oldest first, a bounded slice per statement, each
 * statement its own short transaction. The rows deleted are old buckets the
 * stream no longer writes (only a late event could), so the stream's
 * transactions do not wait on them.
 *
 * @module
 */

import { AGGREGATE_KINDS, aggregateTable } from "./aggregate_sql.ts";
import { type AggregateRetention, floorTo, GRAINS, grainSpec, keptMs } from "./grain.ts";
import type { SqlRunner } from "./sql_client.ts";

/** Buckets deleted per statement. */
const SLICE_BUCKETS = 60;

/**
 * Deletes the aggregate rows older than each grain's retention.
 *
 * @param runner The database (not a transaction: each slice commits on its own).
 * @param now The clock's reading.
 * @param retention How long each grain is kept.
 * @returns Rows deleted.
 */
export async function trimAggregates(
  runner: SqlRunner,
  now: Date,
  retention: AggregateRetention,
): Promise<number> {
  let deleted = 0;
  for (const { name: grain } of GRAINS) {
    const { ms } = grainSpec(grain);
    const cutoff = floorTo(now.getTime() - keptMs(grain, retention), ms);
    for (const kind of AGGREGATE_KINDS) {
      const table = aggregateTable(kind, grain);
      for (;;) {
        const [oldest] = await runner.query<{ ms: number | null }>(
          `SELECT (extract(epoch FROM min(${grain})) * 1000)::float8 AS ms FROM ${table}`,
        );
        if (oldest?.ms === null || oldest?.ms === undefined) break;
        const first = Number(oldest.ms);
        if (!(first < cutoff)) break;
        const end = Math.min(cutoff, first + SLICE_BUCKETS * ms);
        const [row] = await runner.query<{ n: number }>(
          `WITH gone AS (DELETE FROM ${table} WHERE ${grain} < $1 RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [new Date(end).toISOString()],
        );
        deleted += Number(row?.n ?? 0);
      }
    }
  }
  return deleted;
}
