/**
 * The archive benchmark: the archive job on the real local Kafka and
 * S3Proxy. A fresh topic is pre-filled with generated events (fill rate
 * reported), then `jobs/archive.ts` runs from the start until every event is
 * archived and committed; its objects are counted. Run alone
 * (`deno task bench:archive`) or within `deno task bench`.
 *
 *   deno task services up kafka s3 && deno task bench:archive [--events 1000000] [--flush-seconds 2] [--keep]
 *
 * `--keep` leaves the topic and bucket behind for a look; otherwise both are dropped.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import { RAW_PREFIX } from "../../lib/archive/archive_key.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropBucket, dropTopic, s3Credentials } from "../fixtures/archive_objects.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import {
  fillTopic,
  freePort,
  peakRssMiB,
  startPipelineProcess,
  taskV8Flags,
} from "./bench_util.ts";
import { type BenchRow, formatRun, SETUPS } from "./bench_report.ts";

/** How the archive benchmark runs. */
export interface ArchiveBenchOptions {
  /** Events in the topic. */
  events: number;
  /** `ARCHIVE_FLUSH_SECONDS` of the job. */
  flushSeconds: number;
  /** Leaves the topic and bucket behind. */
  keep?: boolean;
}

/**
 * Runs the archive benchmark.
 *
 * @returns The rows: the topic's fill, and the archiver from process start to caught up.
 */
export async function runArchiveBench(options: ArchiveBenchOptions): Promise<BenchRow[]> {
  const total = options.events;
  const endpoints = serviceEndpoints();
  const suffix = crypto.randomUUID().slice(0, 8);
  const topic = `bench-archive-${suffix}`;
  const bucket = `bench-archive-${suffix}`;
  const logger = createLogger({ level: "error" });
  const bus = await createKafkaBus({
    brokers: endpoints.kafkaBrokers,
    clientId: "bench-archive",
    logger,
  });
  await bus.ensureTopics([{ name: topic, partitions: 6 }]);

  console.error(`Filling ${topic} with ${total} events`);
  const { seconds: fillSeconds, bytes: producedBytes } = await fillTopic(bus, topic, total, {
    seed: 9,
    idSuffix: suffix,
  });
  await bus.close();

  async function scrape(port: number): Promise<Map<string, number>> {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    const metrics = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (line.startsWith("#") || line === "") continue;
      const at = line.lastIndexOf(" ");
      metrics.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
    return metrics;
  }

  console.error("Archiving from the start to caught up");
  const port = freePort();
  const archiveStarted = performance.now();
  const child = await startPipelineProcess(
    "jobs/archive.ts",
    {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(","),
      S3_ENDPOINT: endpoints.s3Endpoint,
      S3_BUCKET: bucket,
      AWS_REGION: endpoints.s3Region,
      AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
      PINS_TOPIC: topic,
      HOST: "127.0.0.1",
      METRICS_PORT: String(port),
      ARCHIVE_FLUSH_SECONDS: String(options.flushSeconds),
    },
    `http://127.0.0.1:${port}/health`,
    taskV8Flags("archive"),
  );
  // /health answers once the job has joined the group: the rest is archiving proper.
  const joinedAt = performance.now();
  let metrics = new Map<string, number>();
  /** Where the memory is at its most: V8 heap, memory outside it (Buffers), records held. */
  const peaks = { heap: 0, external: 0, held: 0 };
  for (;;) {
    metrics = await scrape(port);
    peaks.heap = Math.max(peaks.heap, metrics.get("pipeline_nodejs_heap_size_total_bytes") ?? 0);
    peaks.external = Math.max(
      peaks.external,
      metrics.get("pipeline_nodejs_external_memory_bytes") ?? 0,
    );
    peaks.held = Math.max(peaks.held, metrics.get("pipeline_archive_buffered_records") ?? 0);
    const lags = [...metrics].filter(([name]) => name.startsWith("pipeline_archive_consumer_lag"));
    if (
      metrics.get("pipeline_archive_records_total") === total && lags.length === 6 &&
      lags.every(([, lag]) => lag === 0)
    ) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const archiveSeconds = (performance.now() - archiveStarted) / 1000;
  const steadySeconds = (performance.now() - joinedAt) / 1000;
  const rss = await peakRssMiB(child.pid);
  const cpuSeconds = metrics.get("pipeline_process_cpu_seconds_total") ?? NaN;
  child.kill("SIGTERM");
  await child.status;

  const store = createS3Store({
    endpoint: endpoints.s3Endpoint,
    bucket,
    region: endpoints.s3Region,
    logger,
    credentials: s3Credentials(),
  });
  const objects = await store.list(RAW_PREFIX);
  const storedBytes = objects.reduce((sum, object) => sum + object.size, 0);
  await store.close();
  if (!options.keep) {
    await dropBucket(bucket);
    await dropTopic(topic);
  }

  const uncompressed = metrics.get("pipeline_archive_uncompressed_bytes_total") ?? NaN;
  const mb = (bytes: number) => bytes / 1e6;
  return [
    {
      bench: "archive",
      setup: "fill topic (kafkajs, acks=all)",
      eventsPerSecond: total / fillSeconds,
      notes: `setup: ${total} events of ${Math.round(producedBytes / total)} B`,
    },
    {
      bench: "archive",
      setup: SETUPS.archive,
      eventsPerSecond: total / archiveSeconds,
      peakRssMiB: rss,
      notes: `process start to caught up; from group joined ${
        Math.round(total / steadySeconds)
      }/s; ${(mb(uncompressed) / archiveSeconds).toFixed(1)} MB/s NDJSON, gzip ${
        (uncompressed / storedBytes).toFixed(2)
      }x, ${objects.length} objects, CPU ${cpuSeconds.toFixed(1)} s; peak V8 heap ${
        Math.round(peaks.heap / 2 ** 20)
      } MiB, outside it ${Math.round(peaks.external / 2 ** 20)} MiB, ${peaks.held} records held`,
    },
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      events: { type: "string", default: "1000000" },
      "flush-seconds": { type: "string", default: "2" },
      keep: { type: "boolean", default: false },
    },
  });
  const rows = await runArchiveBench({
    events: Number(values.events),
    flushSeconds: Number(values["flush-seconds"]),
    keep: values.keep,
  });
  console.log("\nArchive benchmark: 6 partitions, Kafka and S3Proxy on this machine\n");
  console.log(formatRun(rows));
}
