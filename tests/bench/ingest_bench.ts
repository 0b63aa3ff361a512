/**
 * The ingest benchmark: the edge against the real local Kafka (acks=all),
 * driven by wrk, beside the ceilings measured in the same run: a bare Hono
 * app, the same edge with producing disabled, Kafka's own ProducerPerformance,
 * and kafkajs alone (`producer.sendBatch` in a loop, with and without the
 * adapter's produce path; `raw_client_bench.ts`). Run alone (`deno task bench:ingest`) or within
 * `deno task bench`.
 *
 * The edge runs as deployed: Kafka, PostgreSQL and Cassandra from the harness.
 *
 *   deno task services up && deno task bench:ingest [--seconds 10] [--runs 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import {
  freePort,
  median,
  peakRssMiB,
  runKafkaTool,
  runWrk,
  startPipelineProcess,
  taskV8Flags,
  writeWrkScript,
  type WrkResult,
} from "./bench_util.ts";
import { type BenchRow, formatRun, SETUPS } from "./bench_report.ts";
import {
  RAW_BATCH_RECORDS,
  RAW_IN_FLIGHT,
  type RawClient,
  type RawClientResult,
  runRawClient,
} from "./raw_client_bench.ts";

/** How the ingest benchmark runs. */
export interface IngestBenchOptions {
  /** Seconds of each wrk run. */
  seconds: number;
  /** wrk runs per setup and route; the rows give their medians. */
  runs: number;
  /** Records ProducerPerformance sends, and each raw kafkajs run. */
  producerRecords: number;
}

interface _Route {
  name: "POST /pin/" | "POST /pins";
  path: string;
  script: string;
  connections: number;
  perRequest: number;
}

async function _measure(
  setup: string,
  file: string,
  env: Record<string, string>,
  routes: _Route[],
  options: IngestBenchOptions,
  ceilings: (route: _Route) => string[],
): Promise<BenchRow[]> {
  const port = freePort();
  const child = await startPipelineProcess(
    file,
    { HOST: "127.0.0.1", PORT: String(port), ...env },
    `http://127.0.0.1:${port}/health`,
    file === "edge/main.ts" ? taskV8Flags("edge") : [],
  );
  const rows: BenchRow[] = [];
  try {
    for (const route of routes) {
      const results: WrkResult[] = [];
      for (let run = 0; run < options.runs; run++) {
        console.error(`${setup}: ${route.name}, run ${run + 1}/${options.runs}`);
        results.push(
          await runWrk(`http://127.0.0.1:${port}${route.path}`, route.script, {
            connections: route.connections,
            threads: 1,
            seconds: options.seconds,
          }),
        );
      }
      rows.push({
        bench: "ingest",
        setup: `${setup}: ${route.name}`,
        eventsPerSecond: median(results.map((r) => r.requestsPerSecond)) * route.perRequest,
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: median(results.map((r) => r.p99Ms)),
        errors: results.reduce((n, r) => n + r.errors + r.non2xx, 0),
        peakRssMiB: await peakRssMiB(child.pid),
        ceilings: ceilings(route),
        notes: `${route.connections} connections, wrk -t1`,
      });
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  return rows;
}

async function _measureRawClient(
  client: RawClient,
  setup: string,
  options: IngestBenchOptions,
): Promise<BenchRow> {
  const results: RawClientResult[] = [];
  for (let run = 0; run < options.runs; run++) {
    console.error(`${setup}, run ${run + 1}/${options.runs}`);
    results.push(await runRawClient(client, options.producerRecords));
  }
  if (client === "patched" && !results.every((r) => r.patched)) {
    throw new Error(`${setup}: the adapter's produce path was not in place`);
  }
  return {
    bench: "ingest",
    setup,
    eventsPerSecond: median(results.map((r) => r.eventsPerSecond)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)),
    ceilings: [SETUPS.producerPerf],
    notes: `acks=-1, ${RAW_BATCH_RECORDS}-record sendBatch calls, ${RAW_IN_FLIGHT} in flight`,
  };
}

/**
 * Runs the ingest benchmark.
 *
 * @returns The rows: the edge on Kafka, on no bus, the bare app, raw kafkajs, ProducerPerformance.
 */
export async function runIngestBench(options: IngestBenchOptions): Promise<BenchRow[]> {
  const endpoints = serviceEndpoints();
  const brokers = endpoints.kafkaBrokers.join(",");
  const dir = await Deno.makeTempDir({ prefix: "bench-ingest-" });
  try {
    const next = createPinGenerator({ seed: 1 });
    const singles = Array.from({ length: 2000 }, () => JSON.stringify(next()));
    const batches = Array.from(
      { length: 16 },
      () => `[${Array.from({ length: 1000 }, () => JSON.stringify(next())).join(",")}]`,
    );
    const recordSize = Math.round(singles.reduce((n, s) => n + s.length, 0) / singles.length) +
      60;
    const pin: _Route = {
      name: "POST /pin/",
      path: "/pin/",
      script: await writeWrkScript(dir, "pin", singles),
      connections: 64,
      perRequest: 1,
    };
    const pins: _Route = {
      name: "POST /pins",
      path: "/pins",
      script: await writeWrkScript(dir, "pins", batches),
      connections: 8,
      perRequest: 1000,
    };
    const topic = `bench-pins-${crypto.randomUUID().slice(0, 8)}`;
    const bare = await _measure(
      "bare Hono app",
      "tests/bench/http_ceiling_bare.ts",
      {},
      [pin],
      options,
      () => [],
    );
    const off = await _measure(
      "edge, producing disabled",
      "tests/bench/http_ceiling_edge.ts",
      {},
      [pin, pins],
      options,
      (route) => route === pin ? [SETUPS.bare] : [],
    );
    const edge = await _measure(
      "edge → Kafka, acks=all",
      "edge/main.ts",
      {
        KAFKA_BROKERS: brokers,
        DATABASE_URL: endpoints.databaseUrl,
        CASSANDRA_CONTACT_POINTS: endpoints.cassandraContactPoints.join(","),
        PIPELINE_DATA_DIR: dir,
        PINS_TOPIC: topic,
        DLQ_TOPIC: `${topic}-dlq`,
      },
      [pin, pins],
      options,
      (route) =>
        route === pin
          ? [SETUPS.bare, SETUPS.offPin]
          : [SETUPS.offPins, SETUPS.producerPerf, SETUPS.rawPatched],
    );

    console.error("Kafka ProducerPerformance, acks=all");
    const perf = await runKafkaTool("org.apache.kafka.tools.ProducerPerformance", [
      "--topic",
      `bench-perf-${crypto.randomUUID().slice(0, 8)}`,
      "--num-records",
      String(options.producerRecords),
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
    const line = perf.trim().split("\n").at(-1) ?? "";
    const raw = [];
    for (
      const [client, setup] of [["patched", SETUPS.rawPatched], ["plain", SETUPS.rawPlain]] as const
    ) {
      raw.push(await _measureRawClient(client, setup, options));
    }
    return [...bare, ...off, ...edge, {
      bench: "ingest",
      setup: SETUPS.producerPerf,
      eventsPerSecond: Number(/([\d.]+) records\/sec/.exec(line)?.[1] ?? NaN),
      p50Ms: Number(/([\d.]+) ms 50th/.exec(line)?.[1] ?? NaN),
      p99Ms: Number(/([\d.]+) ms 99th/.exec(line)?.[1] ?? NaN),
      notes: `acks=all, ${recordSize}-byte records, linger.ms=5, batch.size=256 KiB`,
    }, ...raw];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: "10" },
      runs: { type: "string", default: "3" },
      records: { type: "string", default: "2000000" },
    },
  });
  const rows = await runIngestBench({
    seconds: Number(values.seconds),
    runs: Number(values.runs),
    producerRecords: Number(values.records),
  });
  console.log(`\nIngest benchmark (medians of ${values.runs}), broker on this machine\n`);
  console.log(formatRun(rows));
}
