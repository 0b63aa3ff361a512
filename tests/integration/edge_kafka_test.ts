import assert from "node:assert/strict";
import { startEdge } from "../../edge/server.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { startService, stopService } from "../services/services.ts";
import { testWithService } from "../services/test_with_service.ts";
import { readTopic } from "../fixtures/read_topic.ts";

const brokers = serviceEndpoints().kafkaBrokers;
const silent = createLogger({ level: "silent" });

function topicsFor(name: string) {
  const suffix = `${name}-${crypto.randomUUID().slice(0, 8)}`;
  return { PINS_TOPIC: `pins-${suffix}`, DLQ_TOPIC: `pins-dlq-${suffix}` };
}

async function withKafkaEdge(
  name: string,
  env: Record<string, string>,
  fn: (url: string, bus: Bus, topics: { pins: string; dlq: string }) => Promise<void>,
): Promise<void> {
  const topics = topicsFor(name);
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    KAFKA_BROKERS: brokers.join(","),
    PINS_PARTITIONS: "6",
    ...topics,
    ...env,
  });
  const bus = await createKafkaBus({ brokers, clientId: `test-${name}`, logger: silent });
  const edge = await startEdge({ config, bus, logger: silent, registry: createProcessRegistry() });
  try {
    await fn(edge.url, bus, { pins: topics.PINS_TOPIC, dlq: topics.DLQ_TOPIC });
  } finally {
    await edge.shutdown();
    await bus.close();
  }
}

function postPin(url: string, event: unknown): Promise<Response> {
  return fetch(`${url}/pin/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
}

await testWithService("kafka", {
  name: "[edge+kafka] N events posted through the edge are exactly N records in the topic",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withKafkaEdge("e2e", {}, async (url, bus, topics) => {
      const next = createPinGenerator({ seed: 11 });
      const singles = Array.from({ length: 2000 }, next);
      const batches = Array.from({ length: 8 }, () => Array.from({ length: 1000 }, next));
      let cursor = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (cursor < singles.length) {
          const response = await postPin(url, singles[cursor++]);
          assert.equal(response.status, 200, await response.text());
        }
      }));
      await Promise.all(batches.map(async (batch) => {
        const response = await fetch(`${url}/pins`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(batch),
        });
        assert.deepEqual(await response.json(), { accepted: 1000, rejected: [] });
      }));
      const expected = [...singles, ...batches.flat()].map((event) => event.event_id!);
      const records = await readTopic(bus, topics.pins, expected.length, 60_000);
      assert.equal(records.length, expected.length);
      assert.deepEqual(
        new Set(records.map((record) => JSON.parse(record.value).event_id)),
        new Set(expected),
      );
      const partitionsByPoster = new Map<string, Set<number>>();
      for (const record of records) {
        const set = partitionsByPoster.get(record.key!) ?? new Set();
        set.add(record.partition);
        partitionsByPoster.set(record.key!, set);
      }
      assert.ok([...partitionsByPoster.values()].every((set) => set.size === 1));
      assert.ok(new Set(records.map((record) => record.partition)).size > 1);
    });
  },
});

await testWithService("kafka", {
  name:
    "[edge+kafka] broker stopped mid-run: 503s within the bound, nothing accepted lost, recovery",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await withKafkaEdge("outage", { PRODUCE_TIMEOUT_MS: "3000" }, async (url, bus, topics) => {
      const next = createPinGenerator({ seed: 12 });
      const acked = new Set<string>();
      const statuses = new Map<number, number>();
      let slowest503 = 0;
      let running = true;
      const clients = Array.from({ length: 8 }, async () => {
        while (running) {
          const event = next();
          const started = performance.now();
          const response = await postPin(url, event).catch(() => null);
          if (!response) continue;
          await response.body?.cancel();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 200) acked.add(event.event_id!);
          else if (response.status === 503) {
            slowest503 = Math.max(slowest503, performance.now() - started);
            assert.ok(response.headers.get("retry-after"));
          } else assert.fail(`unexpected status ${response.status}`);
        }
      });
      const waitFor = async (what: string, predicate: () => boolean, ms: number) => {
        const deadline = Date.now() + ms;
        while (!predicate()) {
          if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      try {
        await waitFor("first acks", () => acked.size >= 200, 30_000);
        await stopService("kafka");
        await waitFor("503s while the broker is down", () => (statuses.get(503) ?? 0) >= 8, 30_000);
        const health = await fetch(`${url}/health`);
        assert.equal(health.status, 503);
        assert.equal((await health.json()).status, "degraded");
        const ackedBefore = acked.size;
        await startService("kafka");
        await waitFor(
          "acks after the broker returned",
          () => acked.size >= ackedBefore + 200,
          60_000,
        );
      } finally {
        running = false;
        await Promise.all(clients);
        await startService("kafka");
      }
      assert.ok(slowest503 < 3000 + 2000, `a 503 took ${slowest503} ms`);
      const records = await readTopic(bus, topics.pins, acked.size, 60_000);
      const inTopic = new Set(records.map((record) => JSON.parse(record.value).event_id));
      const missing = [...acked].filter((id) => !inTopic.has(id));
      assert.deepEqual(missing, [], `${missing.length} acknowledged events missing`);
    });
  },
});

await testWithService("kafka", {
  name: "[edge+kafka] SIGTERM: the edge stops accepting, flushes what it holds, exits 0",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const topics = topicsFor("sigterm");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const dataDir = await Deno.makeTempDir({ prefix: "edge-sigterm-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "edge/main.ts"],
      cwd: new URL("../../", import.meta.url).pathname,
      env: {
        KAFKA_BROKERS: brokers.join(","),
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_LEVEL: "warn",
        PIPELINE_DATA_DIR: dataDir,
        DATABASE_URL: serviceEndpoints().databaseUrl,
        ...topics,
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (
      (await fetch(`${url}/health`).then((r) => r.body?.cancel().then(() => r.ok)).catch(() =>
        false
      )) !== true
    ) {
      assert.ok(Date.now() < deadline, "the edge did not start");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const next = createPinGenerator({ seed: 13 });
    const acked: string[] = [];
    let stop = false;
    const clients = Array.from({ length: 16 }, async () => {
      while (!stop) {
        const batch = Array.from({ length: 50 }, next);
        const response = await fetch(`${url}/pins`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(batch),
        }).catch(() => null);
        if (!response) return;
        if (response.status === 200) {
          await response.body?.cancel();
          acked.push(...batch.map((event) => event.event_id!));
        } else {
          await response.body?.cancel();
        }
      }
    });
    while (acked.length < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGTERM");
    const status = await child.status;
    stop = true;
    await Promise.all(clients);
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(status.code, 0, stderr);
    const bus = await createKafkaBus({ brokers, clientId: "test-sigterm-read", logger: silent });
    try {
      const records = await readTopic(bus, topics.PINS_TOPIC, acked.length, 60_000);
      const inTopic = new Set(records.map((record) => JSON.parse(record.value).event_id));
      assert.equal(acked.filter((id) => !inTopic.has(id)).length, 0);
    } finally {
      await bus.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
