/**
 * The stream benchmark: the stream job on the real local Kafka and
 * PostgreSQL. A pre-filled topic is consumed to fully caught up (with
 * deduplication on), beside Kafka's own ConsumerPerformance on the same
 * topic; then a live run at a fixed rate through the edge measures
 * freshness. Run alone (`deno task bench:stream`) or within `deno task bench`.
 *
 *   deno task services up kafka postgres && deno task bench:stream [--events 2000000] [--rate 20000] [--seconds 30]
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { runEmulation } from "../../lib/emulate/emulator.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import {
  fillTopic,
  freePort,
  histogramQuantile,
  peakRssMiB,
  runKafkaTool,
  startPipelineProcess,
  taskV8Flags,
} from "./bench_util.ts";
import { type BenchRow, formatRun, SETUPS } from "./bench_report.ts";

/** How the stream benchmark runs. */
export interface StreamBenchOptions {
  /** Events in the backlog. */
  events: number;
  /** Events/s of the live run through the edge. */
  rate: number;
  /** Seconds of the live run. */
  seconds: number;
}

/**
 * Runs the stream benchmark.
 *
 * @returns The rows: the topic's fill, the backlog, ConsumerPerformance, the live run.
 */
export async function runStreamBench(options: StreamBenchOptions): Promise<BenchRow[]> {
  const total = options.events;
  const rate = options.rate;
  const liveSeconds = options.seconds;
  const endpoints = serviceEndpoints();
  const brokers = endpoints.kafkaBrokers.join(",");
  const suffix = crypto.randomUUID().slice(0, 8);
  const topics = { PINS_TOPIC: `bench-stream-${suffix}`, DLQ_TOPIC: `bench-stream-dlq-${suffix}` };
  const database = `bench_stream_${suffix}`;
  const admin = postgres(endpoints.databaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${database}`);
  const url = new URL(endpoints.databaseUrl);
  url.pathname = `/${database}`;
  const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const bus = await createKafkaBus({
    brokers: endpoints.kafkaBrokers,
    clientId: "bench-stream",
    logger: createLogger({ level: "error" }),
  });
  await bus.ensureTopics([{ name: topics.PINS_TOPIC, partitions: 6 }, {
    name: topics.DLQ_TOPIC,
    partitions: 1,
  }]);

  console.error(`Filling ${topics.PINS_TOPIC} with ${total} events`);
  const fill = await fillTopic(bus, topics.PINS_TOPIC, total, { seed: 7, idSuffix: suffix });
  const fillRate = total / fill.seconds;

  async function applied(): Promise<number> {
    const [row] = await db`SELECT coalesce(sum(next_offset), 0)::float8 AS n FROM stream_offsets`
      .catch(() => [{ n: 0 }]);
    return Number(row?.n ?? 0);
  }

  const workerEnv = { KAFKA_BROKERS: brokers, DATABASE_URL: url.toString(), ...topics };
  let metricsPort = freePort();
  console.error("Backlog: stream job from the start to caught up");
  const backlogStarted = performance.now();
  let worker = await startPipelineProcess(
    "jobs/stream.ts",
    {
      ...workerEnv,
      METRICS_PORT: String(metricsPort),
    },
    `http://127.0.0.1:${metricsPort}/health`,
    taskV8Flags("stream"),
  );
  while ((await applied()) < total) await new Promise((resolve) => setTimeout(resolve, 250));
  const backlogSeconds = (performance.now() - backlogStarted) / 1000;
  const backlogRss = await peakRssMiB(worker.pid);
  const [{ dups }] = await db`SELECT count(*)::float8 AS dups FROM seen_events` as unknown as [
    { dups: number },
  ];
  worker.kill("SIGTERM");
  await worker.status;

  console.error("Ceiling: Kafka ConsumerPerformance on the same topic");
  const perf = await runKafkaTool("org.apache.kafka.tools.ConsumerPerformance", [
    "--bootstrap-server",
    brokers,
    "--topic",
    topics.PINS_TOPIC,
    "--messages",
    String(total),
    "--group",
    `bench-perf-${suffix}`,
    "--timeout",
    "60000",
  ]);
  const perfRow = perf.trim().split("\n").at(-1)!.split(",").map((cell) => cell.trim());
  const perfRate = Number(perfRow[5]);

  console.error(`Live: ${rate} events/s through the edge for ${liveSeconds}s`);
  metricsPort = freePort();
  worker = await startPipelineProcess(
    "jobs/stream.ts",
    {
      ...workerEnv,
      METRICS_PORT: String(metricsPort),
    },
    `http://127.0.0.1:${metricsPort}/health`,
    taskV8Flags("stream"),
  );
  const edgePort = freePort();
  const edge = await startPipelineProcess(
    "edge/main.ts",
    {
      KAFKA_BROKERS: brokers,
      HOST: "127.0.0.1",
      PORT: String(edgePort),
      ...topics,
    },
    `http://127.0.0.1:${edgePort}/health`,
    taskV8Flags("edge"),
  );
  const live = await runEmulation({
    url: `http://127.0.0.1:${edgePort}`,
    next: createPinGenerator({ seed: 8, posters: 5000 }),
    count: rate * liveSeconds,
    batchSize: 100,
    rate,
    concurrency: 16,
  });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const liveRss = await peakRssMiB(worker.pid);
  for (const child of [edge, worker]) {
    child.kill("SIGTERM");
    await child.status;
  }
  await bus.close();
  await db.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();

  const ms = (q: number) =>
    histogramQuantile(metrics, "pipeline_stream_freshness_seconds", q) * 1000;
  const backlogRate = total / backlogSeconds;
  return [
    {
      bench: "stream",
      setup: "fill topic (kafkajs, acks=all)",
      eventsPerSecond: fillRate,
      notes: `setup: ${total} events, 6 partitions`,
    },
    {
      bench: "stream",
      setup: SETUPS.backlog,
      eventsPerSecond: backlogRate,
      peakRssMiB: backlogRss,
      ceilings: [SETUPS.consumerPerf],
      notes: `${dups} ids kept`,
    },
    {
      bench: "stream",
      setup: SETUPS.consumerPerf,
      eventsPerSecond: perfRate,
      notes: "consume only, same topic",
    },
    {
      bench: "stream",
      setup: `${SETUPS.live} at ${rate}/s`,
      eventsPerSecond: live.sent / live.elapsedSeconds,
      p50Ms: ms(0.5),
      p95Ms: ms(0.95),
      p99Ms: ms(0.99),
      peakRssMiB: liveRss,
      errors: live.errors,
      notes: "latencies: freshness, commit − received_at",
    },
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      events: { type: "string", default: "2000000" },
      rate: { type: "string", default: "20000" },
      seconds: { type: "string", default: "30" },
    },
  });
  const rows = await runStreamBench({
    events: Number(values.events),
    rate: Number(values.rate),
    seconds: Number(values.seconds),
  });
  console.log("\nStream benchmark: 6 partitions, broker and PostgreSQL on this machine\n");
  console.log(formatRun(rows));
}
