import assert from "node:assert/strict";
import { freePort } from "../fixtures/commands.ts";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import type { Bus, BusRecord } from "../../lib/bus/bus.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { dropBucket, dropTopic, readArchive, s3Credentials } from "../fixtures/archive_objects.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { startService, stopService } from "../services/services.ts";
import { testWithService } from "../services/test_with_service.ts";

const endpoints = serviceEndpoints();
const silent = createLogger({ level: "silent" });
const ROOT = new URL("../../", import.meta.url).pathname;

/** A fresh topic and bucket, a producer, and an S3 store to read the archive; all dropped after. */
async function withFreshTopicAndBucket(
  name: string,
  body: (rig: { topic: string; bucket: string; bus: Bus; store: ObjectStore }) => Promise<void>,
): Promise<void> {
  const suffix = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  const topic = `pins-archive-${suffix}`;
  const bucket = `it-archive-${suffix}`;
  const bus = await createKafkaBus({
    brokers: endpoints.kafkaBrokers,
    clientId: `test-archive-${name}`,
    logger: silent,
  });
  const store = createS3Store({
    endpoint: endpoints.s3Endpoint,
    bucket,
    region: endpoints.s3Region,
    logger: silent,
    credentials: s3Credentials(),
  });
  try {
    await bus.ensureTopics([{ name: topic, partitions: 6 }]);
    await body({ topic, bucket, bus, store });
  } finally {
    await store.close();
    await bus.close();
    await dropBucket(bucket);
    await dropTopic(topic);
  }
}

/** `deno run -A jobs/archive.ts` with its stderr collected. */
function spawnArchiver(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "jobs/archive.ts"],
    cwd: ROOT,
    env: {
      KAFKA_BROKERS: endpoints.kafkaBrokers.join(","),
      S3_ENDPOINT: endpoints.s3Endpoint,
      AWS_REGION: endpoints.s3Region,
      AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (log += chunk) }),
  );
  return {
    child,
    log: () => log,
    async done() {
      const status = await child.status;
      await reading.catch(() => {});
      return status;
    },
  };
}

/** Reads the archiver's own gauges from `/metrics`; null while it does not answer. */
async function scrape(port: number): Promise<Map<string, number> | null> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
  if (!response) return null;
  const values = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (!line.startsWith("pipeline_archive_")) continue;
    const [name, value] = line.split(" ");
    values.set(name!, Number(value));
  }
  return values;
}

/** Whether the archiver read everything and holds nothing. */
async function caughtUp(port: number): Promise<boolean> {
  const values = await scrape(port);
  if (!values) return false;
  const lags = [...values].filter(([name]) => name.startsWith("pipeline_archive_consumer_lag"));
  return values.get("pipeline_archive_buffered_records") === 0 && lags.length === 6 &&
    lags.every(([, value]) => value === 0);
}

async function waitFor(what: string, predicate: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!await predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Pin events as the edge publishes them: keyed by poster, `received_at` stamped now. */
function edgeRecords(next: () => ReturnType<ReturnType<typeof createPinGenerator>>, n: number) {
  return Array.from({ length: n }, (): BusRecord & { id: string } => {
    const event = next();
    const value = JSON.stringify({ ...event, received_at: new Date().toISOString() });
    return { key: event.poster_name, value, id: event.event_id! };
  });
}

async function assertExactlyOnce(store: ObjectStore, produced: string[]): Promise<void> {
  const { lines } = await readArchive(store);
  const counts = new Map<string, number>();
  for (const { line } of lines) {
    const id = JSON.parse(line).event_id as string;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const twice = [...counts].filter(([, count]) => count > 1);
  const missing = produced.filter((id) => !counts.has(id));
  assert.deepEqual(twice.slice(0, 5), [], `${twice.length} events archived more than once`);
  assert.deepEqual(missing.slice(0, 5), [], `${missing.length} events missing`);
  assert.equal(lines.length, produced.length);
}

await testWithService(["kafka", "s3"], {
  name: "[archive+kafka+s3] N events, archiver SIGKILLed twice mid-batch: each event exactly once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withFreshTopicAndBucket("kill", async ({ topic, bucket, bus, store }) => {
      const next = createPinGenerator({ seed: 21 });
      const produced: string[] = [];
      const port = freePort();
      const env = {
        PINS_TOPIC: topic,
        S3_BUCKET: bucket,
        METRICS_PORT: String(port),
        ARCHIVE_FLUSH_SECONDS: "1",
        ARCHIVE_FLUSH_EVENTS: "400",
      };
      let producing = true;
      const producer = (async () => {
        while (producing) {
          const records = edgeRecords(next, 250);
          await bus.produce(topic, records);
          produced.push(...records.map((record) => record.id));
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      })();
      let run = spawnArchiver(env);
      try {
        for (let kill = 0; kill < 2; kill++) {
          await waitFor("objects from this run", async () => {
            const values = await scrape(port);
            return (values?.get("pipeline_archive_objects_written_total") ?? 0) >= 3;
          }, 60_000);
          await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1500));
          run.child.kill("SIGKILL");
          assert.equal((await run.done()).signal, "SIGKILL");
          run = spawnArchiver(env);
        }
        producing = false;
        await producer;
        await waitFor("the archiver to catch up", () => caughtUp(port), 120_000);
        run.child.kill("SIGTERM");
        const status = await run.done();
        assert.equal(status.code, 0, run.log());
      } finally {
        producing = false;
        await producer.catch(() => {});
        try {
          run.child.kill("SIGKILL");
        } catch { /* already gone */ }
        await run.done();
      }
      assert.ok(produced.length > 2000, `only ${produced.length} produced`);
      await assertExactlyOnce(store, produced);
    });
  },
});

await testWithService(["kafka", "s3"], {
  name: "[archive+kafka+s3] S3 stopped mid-run: nothing lost or doubled once it is back",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withFreshTopicAndBucket("s3-outage", async ({ topic, bucket, bus, store }) => {
      const next = createPinGenerator({ seed: 22 });
      const produced: string[] = [];
      const port = freePort();
      const run = spawnArchiver({
        PINS_TOPIC: topic,
        S3_BUCKET: bucket,
        METRICS_PORT: String(port),
        ARCHIVE_FLUSH_SECONDS: "1",
        ARCHIVE_FLUSH_EVENTS: "500",
      });
      const produce = async (batches: number) => {
        for (let i = 0; i < batches; i++) {
          const records = edgeRecords(next, 200);
          await bus.produce(topic, records);
          produced.push(...records.map((record) => record.id));
        }
      };
      try {
        await produce(10);
        await waitFor("first objects", async () => {
          const values = await scrape(port);
          return (values?.get("pipeline_archive_objects_written_total") ?? 0) >= 1;
        }, 60_000);
        await stopService("s3");
        try {
          // 8,000 more: over twice the 500-record bound per partition, so eachBatch must wait.
          await produce(40);
          await waitFor("failed uploads and a consumer held back", async () => {
            const values = await scrape(port);
            if (!values) return false;
            const lag = [...values].filter(([name]) => name.includes("consumer_lag"))
              .reduce((sum, [, value]) => sum + value, 0);
            return (values.get("pipeline_archive_upload_failures_total") ?? 0) >= 2 && lag > 0;
          }, 60_000);
          const held = await scrape(port);
          assert.ok(held!.get("pipeline_archive_buffered_records")! <= 6 * (2 * 500 + 5000));
          const health = await fetch(`http://127.0.0.1:${port}/health`);
          await health.body?.cancel();
          assert.ok(health.status === 200 || health.status === 503);
        } finally {
          await startService("s3");
        }
        await waitFor("the archiver to catch up", () => caughtUp(port), 180_000);
        run.child.kill("SIGTERM");
        const status = await run.done();
        assert.equal(status.code, 0, run.log());
      } finally {
        try {
          run.child.kill("SIGKILL");
        } catch { /* already gone */ }
        await run.done();
      }
      await assertExactlyOnce(store, produced);
    });
  },
});
