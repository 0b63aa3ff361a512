/**
 * Batch benchmark: N generated events over D days in the raw layout (a
 * local-directory object store; S3 would add transfer time only), then
 *
 * 1. raw → curated Parquet + aggregates (+ rows into the embedded history),
 *    end to end through `runBatch`, split per step;
 * 2. the Cassandra row and aggregate load of a few days, reported apart;
 * 3. the ceiling: DuckDB's own scan + group-by of the same files.
 *
 * Peak RSS is sampled every 50 ms per step.
 *
 * `deno task bench:batch [--events 10000000] [--days 30] [--cassandra-days 2] [--no-cassandra]
 * [--threads N] [--data-dir DIR]`: with `--data-dir`, the raw objects are generated into DIR
 * once and reused by later runs with the same `--events` and `--days` (generation takes longer
 * than the batch).
 *
 * @module
 */

import { parseArgs } from "node:util";
import cassandra from "cassandra-driver";
import { DuckDBInstance } from "@duckdb/node-api";
import { archiveKey } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { formatTable } from "../../lib/runtime/table.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import type { DayResult } from "../../lib/batch/day_processor.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { serviceUnavailableReason } from "../services/test_with_service.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "10000000" },
    days: { type: "string", default: "30" },
    "cassandra-days": { type: "string", default: "2" },
    "no-cassandra": { type: "boolean", default: false },
    threads: { type: "string" },
    "data-dir": { type: "string" },
  },
});
const EVENTS = Number(values.events);
const DAYS = Number(values.days);
const MIB = 1024 * 1024;
const logger = createLogger({ level: "warn" });
const rows: Array<Array<string | number>> = [];

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

function record(step: string, events: number, ms: number, peak: number | string) {
  rows.push([
    step,
    events,
    Number((ms / 1000).toFixed(2)),
    Math.round(events / (ms / 1000)),
    typeof peak === "number" ? Math.round(peak / MIB) : peak,
  ]);
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

// 1. raw → curated Parquet + aggregates, embedded history.
const history = await createEmbeddedHistory({ path: `${dir}/history.duckdb` });
await history.migrate();
{
  const peak = peakSampler();
  const started = performance.now();
  const summary = await runBatch({
    store,
    history,
    logger,
    tmpDir: dir,
    ...(values.threads ? { threads: Number(values.threads) } : {}),
  });
  const total = performance.now() - started;
  const rss = peak();
  if (summary.failed > 0) throw new Error(`Batch failed: ${JSON.stringify(summary.results)}`);
  const results = summary.results as DayResult[];
  const events = results.reduce((sum, r) => sum + r.rowsIn, 0);
  const sum = (step: keyof DayResult["timings"]) =>
    results.reduce((total, r) => total + r.timings[step], 0);
  record("end to end: raw -> Parquet + aggregates + embedded rows", events, total, rss);
  record("  copy raw objects to scratch", events, sum("copy"), "-");
  record("  validate + clean + dedupe (DuckDB SQL)", events, sum("clean"), "-");
  record("  curated Parquet written + put", events, sum("parquet"), "-");
  record("  aggregates computed + written (embedded)", events, sum("aggregates"), "-");
  record("  cleaned rows into embedded history", events, sum("rows"), "-");
  record(
    "raw -> Parquet + aggregates (excl. history rows)",
    events,
    total - sum("rows"),
    rss,
  );
}
{
  // Closing checkpoints whatever the history's write-ahead log still holds: shown, not hidden.
  const started = performance.now();
  await history.close();
  record("  embedded history close (checkpoint left over)", 0, performance.now() - started, "-");
}

// 2. Cassandra load of a few days.
const cassandraDays = Number(values["cassandra-days"]);
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
  const cassandraHistory = await createCassandraHistory(config, logger);
  try {
    await cassandraHistory.migrate();
    const peak = peakSampler();
    const summary = await runBatch(
      { store, history: cassandraHistory, logger, tmpDir: dir },
      { days: days.slice(0, cassandraDays) },
    );
    const rss = peak();
    if (summary.failed > 0) throw new Error(`Batch failed: ${JSON.stringify(summary.results)}`);
    const results = summary.results as DayResult[];
    const out = results.reduce((sum, r) => sum + r.rowsOut, 0);
    record(
      `Cassandra: cleaned rows (${cassandraDays} days, 128 in flight)`,
      out,
      results.reduce((sum, r) => sum + r.timings.rows, 0),
      rss,
    );
    record(
      `Cassandra: aggregates (${cassandraDays} days; rows = events)`,
      out,
      results.reduce((sum, r) => sum + r.timings.aggregates, 0),
      "-",
    );
  } finally {
    await cassandraHistory.close();
    const client = new cassandra.Client({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDataCenter,
    });
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
    await client.shutdown();
  }
} else {
  console.log(`Cassandra load skipped: ${reason ?? "--cassandra-days 0"}`);
}

// 3. Ceiling: DuckDB's own scan + group-by of the same files.
{
  const files = (await store.list("pins/")).map((o) => `'${archiveDir}/${o.key}'`);
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: "768MB",
    ...(values.threads ? { threads: values.threads } : {}),
  });
  const connection = await instance.connect();
  const peak = peakSampler();
  const started = performance.now();
  const reader = await connection.runAndReadAll(
    `SELECT category, count(*)::DOUBLE FROM read_ndjson([${files.join(", ")}]) GROUP BY 1`,
  );
  const events = (reader.getRows() as number[][]).reduce((sum, r) => sum + Number(r[1]), 0);
  record("ceiling: read_ndjson + GROUP BY category", events, performance.now() - started, peak());
  connection.closeSync();
  instance.closeSync();
}

console.log(
  `\ncores: ${navigator.hardwareConcurrency}, DuckDB threads: ${values.threads ?? "all"}`,
);
console.log(formatTable(["step", "events", "seconds", "events/s", "peak RSS MiB"], rows));
await Deno.remove(dir, { recursive: true });
