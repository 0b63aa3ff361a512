import assert from "node:assert/strict";
import postgres from "postgres";
import { startEdge } from "../../edge/server.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { type CleanPin, cleanPin } from "../../lib/pin/clean_pin.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import type { PinEvent } from "../../lib/pin/pin_event.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";
import { withFreshDatabase } from "../fixtures/fresh_database.ts";
import { assertMatchesTruth, incompressibleText } from "../fixtures/realtime_store_cases.ts";
import { readTopic } from "../fixtures/read_topic.ts";

const brokers = serviceEndpoints().kafkaBrokers;
const silent = createLogger({ level: "silent" });
const ROOT = new URL("../../", import.meta.url).pathname;

interface Setup {
  bus: Bus;
  store: RealtimeStore;
  databaseUrl: string;
  topics: { PINS_TOPIC: string; DLQ_TOPIC: string };
  /** A consumer group of this test alone, so no other test's member takes its partitions. */
  group: string;
}

async function withSetup(name: string, fn: (setup: Setup) => Promise<void>): Promise<void> {
  await withFreshDatabase(async (databaseUrl) => {
    const suffix = `${name}-${crypto.randomUUID().slice(0, 8)}`;
    const topics = { PINS_TOPIC: `pins-${suffix}`, DLQ_TOPIC: `dlq-${suffix}` };
    const bus = await createKafkaBus({ brokers, clientId: `test-${name}`, logger: silent });
    const store = createSqlRealtimeStore(
      await createPostgresClient(databaseUrl),
      "postgres",
      databaseUrl,
    );
    try {
      await store.migrate();
      await bus.ensureTopics([{ name: topics.PINS_TOPIC, partitions: 6 }, {
        name: topics.DLQ_TOPIC,
        partitions: 1,
      }]);
      await fn({ bus, store, databaseUrl, topics, group: `realtime-${suffix}` });
    } finally {
      await store.close();
      await bus.close();
    }
  });
}

function events(count: number, seed: number): PinEvent[] {
  const now = Date.now();
  const span = { from: new Date(now - 3 * 3_600_000), to: new Date(now) };
  const next = createPinGenerator({ seed, span, posters: 1500 });
  return Array.from({ length: count }, next);
}

function truthOf(list: PinEvent[]): CleanPin[] {
  return list.map((e) => cleanPin({ ...e, event_id: e.event_id!, received_at: e.event_time! }));
}

async function postAll(url: string, list: PinEvent[], batch = 1000): Promise<void> {
  const chunks = Array.from(
    { length: Math.ceil(list.length / batch) },
    (_, i) => list.slice(i * batch, (i + 1) * batch),
  );
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const response = await fetch(`${url}/pins`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(chunk),
      });
      assert.deepEqual(await response.json(), { accepted: chunk.length, rejected: [] });
    }
  }));
}

async function caughtUp(
  store: RealtimeStore,
  topic: string,
  records: number,
  group: string,
  ms = 120_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const applied = [...(await store.offsets(group, topic)).values()].reduce(
      (a, b) => a + b,
      0,
    );
    if (applied === records) return;
    assert.ok(applied < records, `applied ${applied} offsets of ${records} records`);
    if (Date.now() > deadline) {
      assert.fail(`Stream applied ${applied} of ${records} records in ${ms} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function spawnWorker(setup: Setup, env: Record<string, string> = {}): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "jobs/stream.ts"],
    cwd: ROOT,
    env: {
      KAFKA_BROKERS: brokers.join(","),
      DATABASE_URL: setup.databaseUrl,
      METRICS_PORT: "0",
      LOG_LEVEL: "error",
      STREAM_BATCH_RECORDS: "500",
      STREAM_GROUP: setup.group,
      ...setup.topics,
      ...env,
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

await testWithService(["kafka", "postgres"], {
  name:
    "[stream+kafka+postgres] 100,000 events posted through the edge equal the ground truth, duplicates counted once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withSetup("e2e", async ({ bus, store, topics, group }) => {
      const config = loadConfig({
        HOST: "127.0.0.1",
        PORT: "0",
        KAFKA_BROKERS: brokers.join(","),
        ...topics,
      });
      const edge = await startEdge({
        config,
        bus,
        logger: silent,
        registry: createProcessRegistry(),
      });
      const job = await startStreamJob({
        bus,
        store,
        logger: silent,
        metrics: createStreamMetrics(createProcessRegistry()),
        topic: topics.PINS_TOPIC,
        dlqTopic: topics.DLQ_TOPIC,
        group,
      });
      try {
        const list = events(100_000, 31);
        const retries = list.slice(5000, 6000);
        await postAll(edge.url, [...list, ...retries]);
        await caughtUp(store, topics.PINS_TOPIC, 101_000, group);
        await assertMatchesTruth(store, truthOf(list));
      } finally {
        await job.stop();
        await edge.shutdown();
      }
    });
  },
});

async function produceAll(setup: Setup, list: PinEvent[]): Promise<void> {
  const records = list.map((e) => ({
    key: e.poster_name,
    value: JSON.stringify({ ...e, received_at: new Date().toISOString() }),
  }));
  for (let i = 0; i < records.length; i += 5000) {
    await setup.bus.produce(setup.topics.PINS_TOPIC, records.slice(i, i + 5000));
  }
}

async function applied(setup: Setup): Promise<number> {
  const offsets = await setup.store.offsets(setup.group, setup.topics.PINS_TOPIC);
  return [...offsets.values()].reduce((a, b) => a + b, 0);
}

/** Waits until the store has applied at least `target` records. */
async function progressTo(setup: Setup, target: number, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while ((await applied(setup)) < target) {
    if (Date.now() > deadline) assert.fail(`Stream did not reach ${target} records in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs `fn` with a way to spawn workers that are all killed afterwards, whatever happens. */
async function withWorkers(
  setup: Setup,
  fn: (spawn: (env?: Record<string, string>) => Deno.ChildProcess) => Promise<void>,
): Promise<void> {
  const children: Deno.ChildProcess[] = [];
  try {
    await fn((env) => {
      const child = spawnWorker(setup, env);
      children.push(child);
      return child;
    });
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already exited.
      }
      await child.status;
    }
  }
}

await testWithService(["kafka", "postgres"], {
  name:
    "[stream+kafka+postgres] a worker SIGKILLed at random points three times leaves every count exact",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withSetup("kill", async (setup) => {
      const list = events(120_000, 32);
      await produceAll(setup, list);
      await withWorkers(setup, async (spawn) => {
        for (let kill = 0; kill < 3; kill++) {
          const worker = spawn();
          // Somewhere in the next stretch of work, at a random point.
          await progressTo(
            setup,
            (await applied(setup)) + 2000 + Math.floor(Math.random() * 20_000),
          );
          worker.kill("SIGKILL");
          await worker.status;
        }
        assert.ok((await applied(setup)) < 120_000, "the kills happened after the work was done");
        const last = spawn();
        await caughtUp(setup.store, setup.topics.PINS_TOPIC, 120_000, setup.group);
        last.kill("SIGTERM");
        assert.equal((await last.status).code, 0);
      });
      await assertMatchesTruth(setup.store, truthOf(list));
    });
  },
});

await testWithService(["kafka", "postgres"], {
  name:
    "[stream+kafka+postgres] two workers split the partitions; rebalances lose and double nothing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withSetup("rebalance", async (setup) => {
      const list = events(90_000, 33);
      await produceAll(setup, list.slice(0, 30_000));
      await withWorkers(setup, async (spawn) => {
        const first = spawn();
        await progressTo(setup, 5000);
        const second = spawn();
        await produceAll(setup, list.slice(30_000, 60_000));
        await progressTo(setup, 35_000);
        first.kill("SIGTERM");
        assert.equal((await first.status).code, 0);
        await produceAll(setup, list.slice(60_000));
        await caughtUp(setup.store, setup.topics.PINS_TOPIC, 90_000, setup.group);
        second.kill("SIGTERM");
        assert.equal((await second.status).code, 0);
      });
      await assertMatchesTruth(setup.store, truthOf(list));
    });
  },
});

await testWithService(["kafka", "postgres"], {
  name: "[stream+kafka+postgres] poison records go to the DLQ and never stall the consumer",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withSetup("poison", async ({ bus, store, topics, group }) => {
      const stamp = (e: PinEvent) => ({ ...e, received_at: new Date().toISOString() });
      const list = events(1000, 34).map(stamp);
      // Written straight onto the topic, bypassing the edge: the text policy, and a record that
      // passes validation but whose poster_name is too large for an index row (54000).
      const [a, b, c] = events(3, 35).map(stamp);
      const poison = [
        { ...a!, poster_name: "p\u0000q" },
        { ...b!, title: "x\ud800y" },
        { ...c!, poster_name: incompressibleText(60_000) },
      ];
      await bus.produce(topics.PINS_TOPIC, [
        { key: "x", value: "\u0000garbage" },
        ...list.slice(0, 500).map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
        ...poison.map((e) => ({ key: "x", value: JSON.stringify(e) })),
        ...list.slice(500).map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
        { key: "x", value: JSON.stringify({ hello: "world" }) },
      ]);
      const job = await startStreamJob({
        bus,
        store,
        logger: silent,
        metrics: createStreamMetrics(createProcessRegistry()),
        topic: topics.PINS_TOPIC,
        dlqTopic: topics.DLQ_TOPIC,
        group,
      });
      const more = events(200, 36).map(stamp);
      try {
        await caughtUp(store, topics.PINS_TOPIC, 1005, group);
        await bus.produce(
          topics.PINS_TOPIC,
          more.map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
        );
        await caughtUp(store, topics.PINS_TOPIC, 1205, group);
        assert.ok(job.health().ok, job.health().detail);
      } finally {
        await job.stop();
      }
      await assertMatchesTruth(store, truthOf([...list, ...more]));
      const letters = (await readTopic(bus, topics.DLQ_TOPIC, 5)).map((r) => JSON.parse(r.value));
      assert.deepEqual(letters.map((l) => l.reason).sort(), [
        "not JSON",
        "not a pin event",
        "not a pin event",
        "not a pin event",
        "refused by the store",
      ]);
      assert.ok(letters.every((l) => /^stream:pins-poison-[^/]+\/\d@\d+$/.test(l.source)));
      const refused = letters.find((l) => l.reason === "refused by the store");
      assert.match(refused.problems[0].message, /SQLSTATE 54000/);
      assert.equal(JSON.parse(refused.raw).event_id, c!.event_id);
      const policy = letters.filter((l) => l.reason === "not a pin event").map((l) =>
        l.problems[0].path
      );
      assert.deepEqual(policy.sort(), ["index", "poster_name", "title"]);
    });
  },
});

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

interface Health {
  status: string;
  checks: Record<string, { ok: boolean; detail: string }>;
}

/** Polls a `/health` URL until its status code is `status`, returning the body. */
async function healthWith(url: string, status: number, ms = 60_000): Promise<Health> {
  const deadline = Date.now() + ms;
  let last = { status: 0, body: {} as Health };
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      last = { status: response.status, body: await response.json() };
      if (last.status === status) return last.body;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`${url} never answered as expected; last: ${JSON.stringify(last)}`);
}

await testWithService("postgres", {
  name:
    "[stream+kafka+postgres] the stream process's /health turns degraded and the stalled gauge 1 when a partition stops committing",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withSetup("stall", async (setup) => {
      await produceAll(setup, events(100, 37));
      const port = freePort();
      const health = `http://127.0.0.1:${port}/health`;
      await withWorkers(setup, async (spawn) => {
        const worker = spawn({ METRICS_PORT: String(port), STREAM_STALL_SECONDS: "1" });
        await caughtUp(setup.store, setup.topics.PINS_TOPIC, 100, setup.group);
        assert.equal((await healthWith(health, 200)).checks.stream!.ok, true);
        // A fault that is no record's content (the table is gone): retried, never skipped.
        const admin = postgres(setup.databaseUrl, { max: 1, onnotice: () => {} });
        try {
          await admin.unsafe("DROP TABLE total_minute");
        } finally {
          await admin.end();
        }
        await produceAll(setup, events(10, 38));
        const stream = (await healthWith(health, 503)).checks.stream!;
        assert.equal(stream.ok, false);
        assert.match(stream.detail, /partition \d stalled: \d+ records waiting.*total_minute/);
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        assert.match(metrics, /pipeline_stream_partition_stalled\{partition="\d"\} 1/);
        assert.equal(await applied(setup), 100, "nothing was skipped");
        worker.kill("SIGTERM");
        assert.equal((await worker.status).code, 0);
      });
    });
  },
});
