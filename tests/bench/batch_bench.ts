/**
 * Batch benchmark: N generated events over D days in the raw layout (a
 * local-directory object store; S3 would add transfer time only), then, in
 * each of `--runs` runs (medians reported):
 *
 * 1. raw → curated Parquet + aggregates + rows into a fresh embedded history,
 *    end to end through `runBatch`, split per step;
 * 2. the ceiling: DuckDB's own `read_ndjson` + GROUP BY category of the same
 *    files, and the ratio of the two;
 * 3. with Cassandra, the first `--cassandra-days` days through `runBatch` into
 *    a keyspace of its own, and the same rows through `cassandra-driver`'s
 *    plain concurrent prepared inserts (the ceiling of the row load).
 *
 * Peak RSS is sampled every 50 ms per step (the process: the cleaning workers
 * are threads of it); the end-to-end run's includes closing the history.
 *
 * `deno task bench:batch [--events 10000000] [--days 30] [--runs 3] [--cassandra-days 2]
 * [--no-cassandra] [--threads N] [--workers N] [--data-dir DIR]`: with `--data-dir`, the raw
 * objects are generated into DIR once and reused by later runs with the same `--events` and
 * `--days` (generation takes longer than the batch).
 *
 * @module
 */

import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import cassandra from "cassandra-driver";
import { DuckDBInstance } from "@duckdb/node-api";
import { archiveKey, curatedDayPrefix } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { formatTable } from "../../lib/runtime/table.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import type { DayResult } from "../../lib/batch/day_processor.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { CASSANDRA_MIGRATIONS } from "../../lib/history/_cassandra_schema.ts";
import { pinParams } from "../../lib/history/_cassandra_rows.ts";
import type { HistoryRow } from "../../lib/history/history_store.ts";
import { CLEAN_COLUMNS } from "../../lib/pin/clean_columns.ts";
import { COLUMNS_AS_NUMBERS } from "../fixtures/batch_clean.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { serviceUnavailableReason } from "../services/test_with_service.ts";
import { median } from "./bench_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "10000000" },
    days: { type: "string", default: "30" },
    runs: { type: "string", default: "3" },
    "cassandra-days": { type: "string", default: "2" },
    "cassandra-concurrency": { type: "string", default: "128" },
    "no-cassandra": { type: "boolean", default: false },
    threads: { type: "string" },
    workers: { type: "string" },
    "data-dir": { type: "string" },
  },
});
const EVENTS = Number(values.events);
const DAYS = Number(values.days);
const RUNS = Math.max(1, Number(values.runs));
const MIB = 1024 * 1024;
const logger = createLogger({ level: "warn" });

function peakSampler() {
  let peak = Deno.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, Deno.memoryUsage().rss);
  };
}

const dir = await Deno.makeTempDir({ prefix: "batch_bench_" });
const archiveDir = values["data-dir"]
  ? `${values["data-dir"]}/events-${EVENTS}-days-${DAYS}`
  : `${dir}/archive`;
const store = createLocalStore({ dir: archiveDir });
await store.ensureBucket();
const days = Array.from(
  { length: DAYS },
  (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
);

// Generate: events spread evenly over the days; one object per (day, hour).
const generated = `${archiveDir}.complete`;
if (values["data-dir"] && await Deno.stat(generated).then(() => true, () => false)) {
  console.log(`reusing the raw objects in ${archiveDir}`);
} else {
  const started = performance.now();
  const next = createPinGenerator({
    seed: 42,
    span: { from: new Date("2022-01-01T00:00:00Z"), to: new Date("2025-01-01T00:00:00Z") },
  });
  const perObject = Math.ceil(EVENTS / (DAYS * 24));
  const encoder = new TextEncoder();
  let offset = 0;
  let written = 0;
  for (const day of days) {
    for (let hour = 0; hour < 24 && written < EVENTS; hour++) {
      const count = Math.min(perObject, EVENTS - written);
      const base = Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);
      const lines = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const event = next();
        event.received_at = new Date(base + Math.floor((i / count) * 3_600_000)).toISOString();
        lines[i] = JSON.stringify(event);
      }
      const key = archiveKey(
        `dt=${day}/hour=${String(hour).padStart(2, "0")}`,
        0,
        offset,
        offset + count - 1,
      );
      offset += count;
      written += count;
      await store.put(key, await gzipBytes(encoder.encode(lines.join("\n") + "\n")));
    }
  }
  const objects = await store.list("pins/");
  const bytes = objects.reduce((sum, o) => sum + o.size, 0);
  console.log(
    `generated ${written} events in ${objects.length} objects (${
      (bytes / MIB).toFixed(1)
    } MiB gzip) ` +
      `over ${DAYS} days in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (values["data-dir"]) await Deno.writeTextFile(generated, "");
}

const workers = values.workers ? { cleanWorkers: Number(values.workers) } : {};
const threads = values.threads ? { threads: Number(values.threads) } : {};
const files = (await store.list("pins/")).map((o) => `'${archiveDir}/${o.key}'`);

/** CPU milliseconds (user + system, every thread of the process) since `from`. */
function cpuSince(from: ReturnType<typeof cpuUsage>): number {
  const used = cpuUsage(from);
  return (used.user + used.system) / 1000;
}

/** Milliseconds of each step of one end-to-end run, its events and peak RSS. */
interface RunFigures {
  events: number;
  total: number;
  /** CPU milliseconds of the end-to-end run. */
  cpu: number;
  /** CPU milliseconds of the ceiling. */
  ceilingCpu: number;
  steps: Record<keyof DayResult["timings"], number>;
  close: number;
  rss: number;
  ceiling: number;
  ceilingRss: number;
}

async function endToEnd(run: number): Promise<RunFigures> {
  const history = await createEmbeddedHistory({ path: `${dir}/history-${run}.duckdb` });
  await history.migrate();
  const peak = peakSampler();
  const cpu = cpuUsage();
  const started = performance.now();
  const summary = await runBatch({ store, history, logger, tmpDir: dir, ...threads, ...workers });
  const total = performance.now() - started;
  const cpuMs = cpuSince(cpu);
  if (summary.failed > 0) throw new Error(`Batch failed: ${JSON.stringify(summary.results)}`);
  const results = summary.results as DayResult[];
  const sum = (step: keyof DayResult["timings"]) =>
    results.reduce((total, r) => total + r.timings[step], 0);
  // Closing checkpoints whatever the history's write-ahead log still holds: shown, not hidden.
  const closing = performance.now();
  await history.close();
  const close = performance.now() - closing;
  const rss = peak();
  await Deno.remove(`${dir}/history-${run}.duckdb`).catch(() => {});
  const ceiling = await scanCeiling();
  return {
    events: results.reduce((sum, r) => sum + r.rowsIn, 0),
    total,
    cpu: cpuMs,
    steps: {
      copy: sum("copy"),
      clean: sum("clean"),
      load: sum("load"),
      parquet: sum("parquet"),
      aggregates: sum("aggregates"),
      rows: sum("rows"),
    },
    close,
    rss,
    ...ceiling,
  };
}

/** DuckDB's own scan + group-by of the same files. */
async function scanCeiling(): Promise<{ ceiling: number; ceilingCpu: number; ceilingRss: number }> {
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: "768MB",
    ...(values.threads ? { threads: values.threads } : {}),
  });
  const connection = await instance.connect();
  const peak = peakSampler();
  const cpu = cpuUsage();
  const started = performance.now();
  await connection.runAndReadAll(
    `SELECT category, count(*)::DOUBLE FROM read_ndjson([${files.join(", ")}]) GROUP BY 1`,
  );
  const ceiling = performance.now() - started;
  const ceilingCpu = cpuSince(cpu);
  const ceilingRss = peak();
  connection.closeSync();
  instance.closeSync();
  return { ceiling, ceilingCpu, ceilingRss };
}

const runs: RunFigures[] = [];
for (let run = 0; run < RUNS; run++) {
  runs.push(await endToEnd(run));
  const last = runs.at(-1)!;
  console.log(
    `run ${run + 1}/${RUNS}: ${(last.total / 1000).toFixed(2)} s end to end, ` +
      `ceiling ${(last.ceiling / 1000).toFixed(2)} s, ratio ${
        (last.ceiling / last.total).toFixed(2)
      }`,
  );
}
const events = runs[0]!.events;
const med = (pick: (r: RunFigures) => number) => median(runs.map(pick));
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));
const sec = (ms: number) => Number((ms / 1000).toFixed(2));
const table: Array<Array<string | number>> = [];
const row = (step: string, n: number, ms: number, rss: number | string, ratio: string) =>
  table.push([step, n, sec(ms), rate(n, ms), rss, ratio]);
const e2e = med((r) => r.total);
const ceiling = med((r) => r.ceiling);
row(
  "end to end: raw -> Parquet + aggregates + embedded rows",
  events,
  e2e,
  Math.round(Math.max(...runs.map((r) => r.rss)) / MIB),
  `${median(runs.map((r) => r.ceiling / r.total)).toFixed(2)} of ceiling`,
);
table.push([
  "  the same in CPU seconds (all threads; the machine is shared)",
  events,
  sec(med((r) => r.cpu)),
  "-",
  "-",
  `${median(runs.map((r) => r.ceilingCpu / r.cpu)).toFixed(2)} of ceiling`,
]);
row("  copy raw objects to scratch", events, med((r) => r.steps.copy), "-", "");
row("  validate + clean (TypeScript workers)", events, med((r) => r.steps.clean), "-", "");
row("  cleaned NDJSON into DuckDB + dedupe", events, med((r) => r.steps.load), "-", "");
row("  curated Parquet written + put", events, med((r) => r.steps.parquet), "-", "");
row(
  `  aggregates computed + written (embedded, ${DAYS} days)`,
  events,
  med((r) => r.steps.aggregates),
  "-",
  "",
);
row("  cleaned rows into embedded history", events, med((r) => r.steps.rows), "-", "");
row("  embedded history close (checkpoint left over)", 0, med((r) => r.close), "-", "");
row(
  "ceiling: DuckDB read_ndjson + GROUP BY category",
  events,
  ceiling,
  Math.round(Math.max(...runs.map((r) => r.ceilingRss)) / MIB),
  "1.00",
);
table.push([
  "  the same in CPU seconds",
  events,
  sec(med((r) => r.ceilingCpu)),
  "-",
  "-",
  "",
]);

// Cassandra: the first days through the batch, and the same rows as plain inserts.
const cassandraDays = Number(values["cassandra-days"]);
const concurrency = Number(values["cassandra-concurrency"]);
const reason = values["no-cassandra"]
  ? "--no-cassandra"
  : await serviceUnavailableReason("cassandra");
if (reason === undefined && cassandraDays > 0) {
  const endpoints = serviceEndpoints();
  const keyspace = `bench_batch_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const config = {
    contactPoints: endpoints.cassandraContactPoints,
    keyspace,
    localDataCenter: endpoints.cassandraLocalDataCenter,
    replication: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  };
  const client = new cassandra.Client({
    contactPoints: endpoints.cassandraContactPoints,
    localDataCenter: endpoints.cassandraLocalDataCenter,
  });
  const cassandraHistory = await createCassandraHistory(config, logger, { concurrency });
  try {
    await cassandraHistory.migrate();
    const pinsDdl = CASSANDRA_MIGRATIONS[0]![2][0]!.replace(
      "CREATE TABLE IF NOT EXISTS pins",
      `CREATE TABLE IF NOT EXISTS ${keyspace}.pins_plain`,
    );
    await client.execute(pinsDdl);
    const insert = `INSERT INTO ${keyspace}.pins_plain (dt, bucket, ${
      CLEAN_COLUMNS.map((c) => c.name).join(", ")
    }) VALUES (${Array(CLEAN_COLUMNS.length + 2).fill("?").join(", ")})`;
    const batchRows: number[] = [];
    const batchAggregates: number[] = [];
    const plainRows: number[] = [];
    let rowsOut = 0;
    let rss = 0;
    for (let run = 0; run < RUNS; run++) {
      const peak = peakSampler();
      const summary = await runBatch(
        { store, history: cassandraHistory, logger, tmpDir: dir, ...threads, ...workers },
        { days: days.slice(0, cassandraDays) },
      );
      rss = Math.max(rss, peak());
      if (summary.failed > 0) throw new Error(`Batch failed: ${JSON.stringify(summary.results)}`);
      const results = summary.results as DayResult[];
      rowsOut = results.reduce((sum, r) => sum + r.rowsOut, 0);
      batchRows.push(results.reduce((sum, r) => sum + r.timings.rows, 0));
      batchAggregates.push(results.reduce((sum, r) => sum + r.timings.aggregates, 0));
      // The ceiling: the same rows, already in memory, as plain concurrent prepared inserts.
      const params = await curatedParams(days.slice(0, cassandraDays));
      const started = performance.now();
      await cassandra.concurrent.executeConcurrent(client, insert, params, {
        concurrencyLevel: 512,
        raiseOnFirstError: true,
      });
      plainRows.push(performance.now() - started);
      console.log(
        `cassandra run ${run + 1}/${RUNS}: batch rows ${rate(rowsOut, batchRows.at(-1)!)}/s, ` +
          `plain inserts ${rate(params.length, plainRows.at(-1)!)}/s`,
      );
    }
    const rows = median(batchRows);
    const plain = median(plainRows);
    row(
      `Cassandra: cleaned rows (${cassandraDays} days, unlogged batches, ${concurrency} in flight)`,
      rowsOut,
      rows,
      Math.round(rss / MIB),
      `${(plain / rows).toFixed(2)} of ceiling`,
    );
    row(
      "ceiling: the same rows, plain concurrent prepared inserts (512 in flight)",
      rowsOut,
      plain,
      "-",
      "1.00",
    );
    row(
      `Cassandra: aggregates (${cassandraDays} days; rows = events)`,
      rowsOut,
      median(batchAggregates),
      "-",
      "",
    );
  } finally {
    await cassandraHistory.close();
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
} else {
  console.log(`Cassandra load skipped: ${reason ?? "--cassandra-days 0"}`);
}

/** The curated rows of some days, bound as the `pins` INSERT expects. */
async function curatedParams(some: string[]): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const params: unknown[][] = [];
  for (const day of some) {
    const keys = (await store.list(curatedDayPrefix(day))).map((o) => `'${archiveDir}/${o.key}'`);
    const reader = await connection.runAndReadAll(
      `SELECT ${COLUMNS_AS_NUMBERS} FROM read_parquet([${keys.join(", ")}])`,
    );
    for (const r of reader.getRowObjectsJS()) {
      params.push(pinParams(day, r as unknown as HistoryRow));
    }
  }
  connection.closeSync();
  instance.closeSync();
  return params;
}

console.log(
  `\n${EVENTS} events over ${DAYS} days; medians of ${RUNS} run(s); cores: ${navigator.hardwareConcurrency}, ` +
    `DuckDB threads: ${values.threads ?? "all"}, cleaning workers: ${
      values.workers ?? "one per core"
    }`,
);
console.log(
  formatTable(["step", "events", "seconds", "events/s", "peak RSS MiB", "ratio"], table),
);
await Deno.remove(dir, { recursive: true });
