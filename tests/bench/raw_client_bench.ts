/**
 * The raw kafkajs ceiling of the ingest benchmark: `producer.sendBatch` in a
 * loop (acks=-1), with the records the edge publishes for `POST /pins` (the
 * stamped event's JSON keyed by poster, 6 partitions) in batches of the
 * micro-batcher's size (5,000), 3 in flight as the micro-batcher flushes.
 * `raw_client_patched.ts` loads kafkajs through the Kafka adapter, so its
 * faster produce path and encoder are in place; `raw_client_plain.ts` loads
 * kafkajs alone. Each runs in its own process ({@linkcode runRawClient}) so
 * its peak RSS is its own and the two never share kafkajs's module cache.
 *
 *   deno run -A tests/bench/raw_client_patched.ts --records 300000
 *
 * @module
 */

import { parseArgs } from "node:util";
import type * as Kafkajs from "kafkajs";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { median, peakRssMiB, ROOT, taskV8Flags } from "./bench_util.ts";

/** Which kafkajs the loop runs on. */
export type RawClient = "patched" | "plain";

/** What one raw client run measured. */
export interface RawClientResult {
  eventsPerSecond: number;
  /** Per `sendBatch` call. */
  p50Ms: number;
  p99Ms: number;
  peakRssMiB: number;
  /** Whether the adapter's produce path was in place (false for `plain`). */
  patched: boolean;
}

/** Records per call and calls in flight: the edge's micro-batcher defaults. */
export const RAW_BATCH_RECORDS = 5000;
export const RAW_IN_FLIGHT = 3;
const PARTITIONS = 6;

function _quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The kafkajs a loop runs on: the module, the partitioner, whether the adapter's path is in. */
export interface RawKafkajs {
  client: RawClient;
  kafkajs: typeof Kafkajs;
  createPartitioner: Kafkajs.ICustomPartitioner;
  patched: boolean;
}

async function _loop(setup: RawKafkajs, brokers: string[], records: number) {
  const { client, kafkajs: { Kafka, logLevel } } = setup;
  const kafka = new Kafka({ clientId: `bench-raw-${client}`, brokers, logLevel: logLevel.ERROR });
  const topic = `bench-raw-${client}-${crypto.randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: PARTITIONS }],
  });
  const producer = kafka.producer({
    createPartitioner: setup.createPartitioner,
    allowAutoTopicCreation: false,
    maxInFlightRequests: 5,
  });
  await producer.connect();
  const next = createPinGenerator({ seed: 1 });
  const batches = Array.from({ length: 4 }, () =>
    Array.from({ length: RAW_BATCH_RECORDS }, () => {
      const event = next();
      return {
        key: event.poster_name,
        value: JSON.stringify({
          ...event,
          event_id: crypto.randomUUID(),
          received_at: new Date().toISOString(),
        }),
      };
    }));
  const latencies: number[] = [];
  let sent = 0;
  let turn = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: RAW_IN_FLIGHT }, async () => {
    while (sent < records) {
      sent += RAW_BATCH_RECORDS;
      const messages = batches[turn++ % batches.length]!;
      const t = performance.now();
      await producer.sendBatch({ acks: -1, timeout: 5000, topicMessages: [{ topic, messages }] });
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
  latencies.sort((a, b) => a - b);
  return {
    eventsPerSecond: sent / seconds,
    p50Ms: median(latencies),
    p99Ms: _quantile(latencies, 0.99),
    peakRssMiB: await peakRssMiB(Deno.pid),
    patched: setup.patched,
  };
}

/**
 * Runs the raw client loop in its own process, with the edge task's V8 flags.
 *
 * @param records Records to send, in batches of {@linkcode RAW_BATCH_RECORDS}.
 * @throws When the loop fails, with its stderr.
 */
export async function runRawClient(client: RawClient, records: number): Promise<RawClientResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...taskV8Flags("edge"),
      `tests/bench/raw_client_${client}.ts`,
      "--records",
      String(records),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(
      `raw kafkajs (${client}) failed: ${new TextDecoder().decode(output.stderr).slice(-2000)}`,
    );
  }
  return JSON.parse(text.split("\n").at(-1)!) as RawClientResult;
}

/**
 * The entry of a raw client process: sends `--records` records and prints
 * the {@linkcode RawClientResult} as one JSON line.
 */
export async function rawClientMain(setup: RawKafkajs): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { records: { type: "string", default: "300000" } },
  });
  const records = Number(values.records);
  if (!Number.isInteger(records) || records <= 0) {
    console.error(
      `Invalid --records: expected a positive integer, current value is '${values.records}'`,
    );
    Deno.exit(2);
  }
  const result = await _loop(setup, serviceEndpoints().kafkaBrokers, records);
  console.log(JSON.stringify(result));
}
