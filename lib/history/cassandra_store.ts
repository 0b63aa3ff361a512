/**
 * The Cassandra history store. Prepared statements only; writes go out
 * with bounded concurrency; every write is an idempotent upsert or delete,
 * so re-running a day leaves exactly the same rows.
 *
 * Replacing a batch day's rows is in `_cassandra_rows.ts`, its aggregates in
 * `_cassandra_aggregates.ts`; leases (`batch_leases`, lightweight
 * transactions) in `_cassandra_lease.ts`. Statements run at LOCAL_QUORUM, so
 * what one batch process wrote is what the next one reads.
 *
 * @module
 */

import cassandra from "cassandra-driver";
import type { HistoryConfig } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import { CASSANDRA_MIGRATIONS } from "./_cassandra_schema.ts";
import { replaceCounts, replaceProfiles } from "./_cassandra_aggregates.ts";
import { cassandraLeases } from "./_cassandra_lease.ts";
import { leaseSections } from "./_lease_section.ts";
import { type LeaseTiming, takeRenewedLease } from "./_renewed_lease.ts";
import { replaceRows } from "./_cassandra_rows.ts";
import { cqlNumber, createCql, type Params } from "./_cql.ts";
import {
  type BatchRun,
  batchRunColumns,
  type CategoryPins,
  type DayAggregates,
  type DayRows,
  type HistoryStore,
  type MediaPins,
  type ProfileStats,
  rankCategories,
  rankProfiles,
} from "./history_store.ts";

/** Options of {@linkcode createCassandraHistory}. */
export interface CassandraHistoryOptions {
  /** Requests in flight at most while loading rows. */
  concurrency?: number;
  /** Rows handed to the driver per round. */
  batchRows?: number;
  /** Leases' TTL and renewal period (60 s and 20 s by default). */
  lease?: Pick<LeaseTiming, "ttlMs" | "renewMs">;
}

/**
 * Connects to Cassandra and returns the history store on `config.keyspace`.
 *
 * @param config Contact points, keyspace, local data centre, replication.
 * @param logger For lifecycle lines.
 * @param options Concurrency, lease timing.
 * @returns The store; call `migrate()` before use.
 * @throws {Error} When no contact point answers, naming them.
 */
export async function createCassandraHistory(
  config: HistoryConfig,
  logger: Logger,
  options: CassandraHistoryOptions = {},
): Promise<HistoryStore> {
  const { concurrency = 128, batchRows = 20_000 } = options;
  const address = config.contactPoints.join(",");
  const client = new cassandra.Client({
    contactPoints: config.contactPoints,
    localDataCenter: config.localDataCenter,
    socketOptions: { connectTimeout: 5000, readTimeout: 30_000 },
    queryOptions: { consistency: cassandra.types.consistencies.localQuorum },
  });
  try {
    await client.connect();
  } catch (error) {
    await client.shutdown().catch(() => {});
    const inner = (error as { innerErrors?: Record<string, Error & { code?: string }> })
      .innerErrors;
    const why = inner && Object.keys(inner).length > 0
      ? Object.entries(inner).map(([host, e]) => `${host} ${e.code ?? e.message}`).join(", ")
      : (error as Error).message;
    throw new Error(`Cannot connect to Cassandra at ${address}: ${why}`, { cause: error });
  }
  const ks = config.keyspace;
  if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(ks)) {
    throw new Error(`Cannot use CASSANDRA_KEYSPACE as a keyspace name: current value is '${ks}'`);
  }
  const log = logger.child({ component: "history", store: "cassandra" });

  const cql = createCql(client, concurrency);
  const { query, rows } = cql;
  const num = cqlNumber;
  const leases = cassandraLeases(client, ks);
  const timing: LeaseTiming = {
    ...options.lease,
    onRenewError: (error) => log.warn("Lease renewal failed; retrying", { error }),
  };
  const exclusive = leaseSections(leases, timing, log);

  function toRun(row: cassandra.types.Row): BatchRun {
    const error = row.get("error");
    const nulled = row.get("nulled");
    return {
      day: row.get("day"),
      status: row.get("status"),
      inputs: JSON.parse(row.get("inputs") ?? "[]"),
      rowsIn: num(row.get("rows_in")),
      valid: num(row.get("valid")),
      invalid: num(row.get("invalid")),
      duplicates: num(row.get("duplicates")),
      rowsOut: num(row.get("rows_out")),
      durationMs: num(row.get("duration_ms")),
      finishedAt: row.get("finished_at"),
      ...(error === null || error === undefined ? {} : { error }),
      ...(nulled === null || nulled === undefined ? {} : { nulled: JSON.parse(nulled) }),
    };
  }

  async function categoryTotals(cql: string, params: Params): Promise<CategoryPins[]> {
    const totals = new Map<string, number>();
    for (const row of await rows(cql, params)) {
      const category = row.get("category");
      totals.set(category, (totals.get(category) ?? 0) + num(row.get("pins")));
    }
    return rankCategories(totals);
  }

  const store: HistoryStore = {
    kind: "cassandra",
    address,
    async migrate() {
      await client.execute(
        `CREATE KEYSPACE IF NOT EXISTS ${ks} WITH replication = ${config.replication}`,
      );
      await client.execute(
        `CREATE TABLE IF NOT EXISTS ${ks}.schema_migrations (version int PRIMARY KEY, description text, applied_at timestamp)`,
      );
      const done = new Set(
        (await rows(`SELECT version FROM ${ks}.schema_migrations`)).map((r) => r.get("version")),
      );
      for (const [version, description, statements] of CASSANDRA_MIGRATIONS) {
        if (done.has(version)) continue;
        for (const statement of statements) {
          await client.execute(
            statement.replace(/^(CREATE TABLE IF NOT EXISTS|ALTER TABLE) (\w+)/, `$1 ${ks}.$2`),
          );
        }
        await query(
          `INSERT INTO ${ks}.schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
          [version, description, new Date()],
        );
        log.info("Applied history migration", { version, description });
      }
    },
    writeRows: (day: string, source: DayRows) => replaceRows(cql, ks, day, source, batchRows),
    async writeAggregates(day: string, source: DayAggregates) {
      const aggregates = await source.records();
      await replaceCounts(
        cql,
        ks,
        day,
        "categories",
        aggregates.categories.map((c) => ({
          event_date: c.event_date,
          key: c.category,
          pins: c.pins,
        })),
      );
      await replaceCounts(
        cql,
        ks,
        day,
        "media",
        aggregates.media.map((m) => ({
          event_date: m.event_date,
          key: m.media_type,
          pins: m.pins,
        })),
      );
      await replaceProfiles(cql, ks, day, aggregates.profiles, exclusive);
    },
    leaseDay: (day, holder) => takeRenewedLease(leases, day, holder, timing),
    async recordRun(run: BatchRun) {
      await query(
        `INSERT INTO ${ks}.batch_runs (day, status, inputs, rows_in, valid, invalid, duplicates, ` +
          `rows_out, duration_ms, finished_at, error, nulled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        batchRunColumns(run),
      );
    },
    categoriesByYear: (y: number) =>
      categoryTotals(`SELECT category, pins FROM ${ks}.year_categories WHERE year = ?`, [y]),
    async topCategory(y: number) {
      return (await store.categoriesByYear(y))[0] ?? null;
    },
    async mediaByYear(y: number) {
      const media: MediaPins = { image: 0, video: 0, unknown: 0 };
      for (
        const row of await rows(`SELECT media_type, pins FROM ${ks}.year_media WHERE year = ?`, [y])
      ) {
        media[row.get("media_type") as keyof MediaPins] += num(row.get("pins"));
      }
      return media;
    },
    async topProfiles(category: string, limit: number) {
      const all = await rows(
        `SELECT poster_name, pins, follower_count FROM ${ks}.category_profiles WHERE category = ?`,
        [category],
      );
      return rankProfiles(
        all.map((row): ProfileStats => ({
          poster_name: row.get("poster_name"),
          pins: num(row.get("pins")),
          follower_count: row.get("follower_count") === null
            ? null
            : num(row.get("follower_count")),
        })),
        limit,
      );
    },
    async yearsAvailable() {
      const years = (await rows(`SELECT DISTINCT year FROM ${ks}.year_categories`))
        .map((row) => Number(row.get("year")));
      const live: number[] = [];
      for (const y of years) {
        const any = await rows(`SELECT year FROM ${ks}.year_categories WHERE year = ? LIMIT 1`, [
          y,
        ]);
        if (any.length > 0) live.push(y);
      }
      return live.sort((a, b) => a - b);
    },
    async runs() {
      return (await rows(`SELECT * FROM ${ks}.batch_runs`)).map(toRun)
        .sort((a, b) => a.day < b.day ? -1 : 1);
    },
    async lastRun() {
      const all = await store.runs();
      return all.sort((a, b) => b.finishedAt.getTime() - a.finishedAt.getTime())[0] ?? null;
    },
    async close() {
      await client.shutdown();
    },
  };
  return store;
}
