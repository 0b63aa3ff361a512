/**
 * `deno task bench:archive`: the archive job on the real local Kafka and
 * S3Proxy. A fresh topic is pre-filled with generated events (fill rate
 * reported), then `jobs/archive.ts` runs from the start until every event is
 * archived and committed; its objects are counted and checked.
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
import { formatTable } from "../../lib/runtime/table.ts";
import { dropBucket, dropTopic, s3Credentials } from "../fixtures/archive_objects.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { fillTopic, freePort, peakRssMiB, startPipelineProcess } from "./bench_util.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "1000000" },
    "flush-seconds": { type: "string", default: "2" },
    keep: { type: "boolean", default: false },
  },
});
const total = Number(values.events);
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
const child = await startPipelineProcess("jobs/archive.ts", {
  KAFKA_BROKERS: endpoints.kafkaBrokers.join(","),
  S3_ENDPOINT: endpoints.s3Endpoint,
  S3_BUCKET: bucket,
  AWS_REGION: endpoints.s3Region,
  AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
  AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
  PINS_TOPIC: topic,
  HOST: "127.0.0.1",
  METRICS_PORT: String(port),
  ARCHIVE_FLUSH_SECONDS: String(values["flush-seconds"]),
}, `http://127.0.0.1:${port}/health`);
// /health answers once the job has joined the group: the rest is archiving proper.
const joinedAt = performance.now();
let metrics = new Map<string, number>();
for (;;) {
  metrics = await scrape(port);
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
if (!values.keep) {
  await dropBucket(bucket);
  await dropTopic(topic);
}

const uncompressed = metrics.get("pipeline_archive_uncompressed_bytes_total") ?? NaN;
const uploadSeconds = metrics.get("pipeline_archive_upload_duration_seconds_sum") ?? NaN;
const mb = (bytes: number) => bytes / 1e6;
console.log(`
archive benchmark: ${total} events of ${Math.round(producedBytes / total)} B, 6 partitions, Kafka ${
  endpoints.kafkaBrokers.join(",")
}, S3 ${endpoints.s3Endpoint}

${
  formatTable(["setup", "events", "seconds", "events/s", "MB/s", "objects", "peak RSS MiB"], [
    [
      "fill: kafkajs produce, acks=all, 6 x 1000/call",
      total,
      Number(fillSeconds.toFixed(1)),
      Math.round(total / fillSeconds),
      Number((mb(producedBytes) / fillSeconds).toFixed(1)),
      0,
      await peakRssMiB(Deno.pid),
    ],
    [
      `archive: jobs/archive.ts -> S3Proxy, gzip, flush ${values["flush-seconds"]} s`,
      total,
      Number(archiveSeconds.toFixed(1)),
      Math.round(total / archiveSeconds),
      Number((mb(uncompressed) / archiveSeconds).toFixed(1)),
      objects.length,
      rss,
    ],
    [
      "  the same, from group joined to caught up",
      total,
      Number(steadySeconds.toFixed(1)),
      Math.round(total / steadySeconds),
      Number((mb(uncompressed) / steadySeconds).toFixed(1)),
      objects.length,
      rss,
    ],
  ])
}

archive detail: ${mb(uncompressed).toFixed(0)} MB NDJSON -> ${
  mb(storedBytes).toFixed(0)
} MB gzip (ratio ${(uncompressed / storedBytes).toFixed(2)}), CPU ${
  cpuSeconds.toFixed(1)
} s (process start included), time in puts ${uploadSeconds.toFixed(1)} s over ${
  metrics.get("pipeline_archive_upload_duration_seconds_count")
} objects (concurrent)
target: >= 100000 events/s (process start to caught up): ${
  total / archiveSeconds >= 100_000 ? "met" : "MISSED"
}`);
