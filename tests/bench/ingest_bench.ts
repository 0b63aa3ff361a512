/**
 * `deno task bench:ingest`: the edge against the real local Kafka (acks=all),
 * driven by wrk, beside two ceilings measured in the same run: the same app
 * with producing disabled, and Kafka's own ProducerPerformance.
 *
 * The edge runs as deployed: Kafka, PostgreSQL and Cassandra from the harness.
 *
 *   deno task services up && deno task bench:ingest [--seconds 10] [--runs 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { formatTable } from "../../lib/runtime/table.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import {
  freePort,
  median,
  peakRssMiB,
  runKafkaTool,
  runWrk,
  startPipelineProcess,
  writeWrkScript,
  type WrkResult,
} from "./bench_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { seconds: { type: "string", default: "10" }, runs: { type: "string", default: "3" } },
});
const seconds = Number(values.seconds);
const runs = Number(values.runs);
const brokers = serviceEndpoints().kafkaBrokers.join(",");
const dir = await Deno.makeTempDir({ prefix: "bench-ingest-" });
const next = createPinGenerator({ seed: 1 });
const singles = Array.from({ length: 2000 }, () => JSON.stringify(next()));
const batches = Array.from(
  { length: 16 },
  () => `[${Array.from({ length: 1000 }, () => JSON.stringify(next())).join(",")}]`,
);
const recordSize = Math.round(singles.reduce((n, s) => n + s.length, 0) / singles.length) + 60;
const pinScript = await writeWrkScript(dir, "pin", singles);
const pinsScript = await writeWrkScript(dir, "pins", batches);

interface Row {
  setup: string;
  route: string;
  connections: number;
  eventsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  rss: number | string;
}

async function measure(setup: string, file: string, env: Record<string, string>): Promise<Row[]> {
  const port = freePort();
  const child = await startPipelineProcess(
    file,
    { HOST: "127.0.0.1", PORT: String(port), ...env },
    `http://127.0.0.1:${port}/health`,
  );
  const rows: Row[] = [];
  try {
    for (
      const [route, script, connections, perRequest] of [
        ["POST /pin/", pinScript, 64, 1],
        ["POST /pins (1,000/request)", pinsScript, 8, 1000],
      ] as const
    ) {
      const path = route.startsWith("POST /pin/") ? "/pin/" : "/pins";
      const results: WrkResult[] = [];
      for (let run = 0; run < runs; run++) {
        console.error(`${setup}: ${route}, run ${run + 1}/${runs}`);
        results.push(
          await runWrk(`http://127.0.0.1:${port}${path}`, script, {
            connections,
            threads: 2,
            seconds,
          }),
        );
      }
      rows.push({
        setup,
        route,
        connections,
        eventsPerSecond: Math.round(median(results.map((r) => r.requestsPerSecond)) * perRequest),
        p50: median(results.map((r) => r.p50Ms)),
        p99: median(results.map((r) => r.p99Ms)),
        errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
        rss: await peakRssMiB(child.pid),
      });
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  return rows;
}

const topic = `bench-pins-${crypto.randomUUID().slice(0, 8)}`;
const endpoints = serviceEndpoints();
const edge = await measure("edge → Kafka, acks=all", "edge/main.ts", {
  KAFKA_BROKERS: brokers,
  DATABASE_URL: endpoints.databaseUrl,
  CASSANDRA_CONTACT_POINTS: endpoints.cassandraContactPoints.join(","),
  PIPELINE_DATA_DIR: dir,
  PINS_TOPIC: topic,
  DLQ_TOPIC: `${topic}-dlq`,
});
const ceiling = await measure(
  "HTTP ceiling (producing disabled)",
  "tests/bench/http_ceiling_edge.ts",
  {},
);
console.error("Kafka ProducerPerformance, acks=all");
const perfTopic = `bench-perf-${crypto.randomUUID().slice(0, 8)}`;
const perf = await runKafkaTool("org.apache.kafka.tools.ProducerPerformance", [
  "--topic",
  perfTopic,
  "--num-records",
  "2000000",
  "--record-size",
  String(recordSize),
  "--throughput",
  "-1",
  "--producer-props",
  `bootstrap.servers=${brokers}`,
  "acks=all",
  "linger.ms=5",
  "batch.size=262144",
]);
const perfLine = perf.trim().split("\n").at(-1) ?? "";
const perfRate = Number(/([\d.]+) records\/sec/.exec(perfLine)?.[1] ?? NaN);
const perfP50 = Number(/([\d.]+) ms 50th/.exec(perfLine)?.[1] ?? NaN);
const perfP99 = Number(/([\d.]+) ms 99th/.exec(perfLine)?.[1] ?? NaN);

const table = [...edge, ...ceiling].map((row) => [
  row.setup,
  row.route,
  row.connections,
  row.eventsPerSecond,
  row.p50,
  row.p99,
  row.errors,
  row.rss,
]);
table.push([
  "Kafka ProducerPerformance, acks=all",
  `${recordSize}-byte records`,
  1,
  Math.round(perfRate),
  perfP50,
  perfP99,
  0,
  "-",
]);
console.log(
  `\nIngest benchmark: ${runs} run(s) of ${seconds}s per row (medians), wrk -t2, broker on this machine\n`,
);
console.log(
  formatTable([
    "setup",
    "route",
    "connections",
    "events/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "peak RSS MiB",
  ], table),
);
const ratio = (a: number, b: number) => (a / b).toFixed(2);
console.log(
  `\n${
    formatTable(
      ["route", "edge / HTTP ceiling", "edge / ProducerPerformance"],
      edge.map((row, i) => [
        row.route,
        ratio(row.eventsPerSecond, ceiling[i]!.eventsPerSecond),
        ratio(row.eventsPerSecond, perfRate),
      ]),
    )
  }`,
);
await Deno.remove(dir, { recursive: true });
