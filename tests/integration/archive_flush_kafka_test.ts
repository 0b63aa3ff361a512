import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropTopic, readArchive } from "../fixtures/archive_objects.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

const silent = createLogger({ level: "silent" });

await testWithService("kafka", {
  name: "[archive+kafka] groupPositions and flushNow: every acknowledged record archived at once",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const suffix = crypto.randomUUID().slice(0, 8);
    const topic = `pins-flush-${suffix}`;
    const groupId = `archive-flush-${suffix}`;
    const dir = await Deno.makeTempDir({ prefix: "archive-flush-kafka-" });
    const bus = await createKafkaBus({
      brokers: serviceEndpoints().kafkaBrokers,
      clientId: "test-archive-flush",
      logger: silent,
    });
    try {
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const records = Array.from({ length: 90 }, (_, i) => ({
        key: `poster-${i % 11}`,
        value: JSON.stringify({ event_id: `e${i}`, received_at: "2026-11-26T10:00:00.000Z" }),
      }));
      await bus.produce(topic, records);
      const before = await bus.groupPositions(groupId, topic);
      assert.deepEqual(before.map((p) => p.partition), [0, 1, 2]);
      assert.deepEqual(before.map((p) => p.committed), [0, 0, 0], "a group that never committed");
      assert.equal(before.reduce((sum, p) => sum + p.end, 0), 90);

      const store = createLocalStore({ dir: `${dir}/archive` });
      const archiver = await createArchiver(
        { bus, store, logger: silent, metrics: createArchiveMetrics(new Registry()) },
        {
          topic,
          groupId,
          flushSeconds: 3600,
          flushEvents: 1_000_000,
          flushBytes: 64 * 1024 * 1024,
        },
      );
      try {
        const report = await archiver.flushNow({ timeoutMs: 60_000 });
        assert.equal(report.records, 90);
        assert.equal((await readArchive(store)).lines.length, 90);
        for (const { committed, end } of await bus.groupPositions(groupId, topic)) {
          assert.equal(committed, end);
        }
      } finally {
        await archiver.stop();
      }
    } finally {
      await bus.close();
      await dropTopic(topic);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
