import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { archiveKey, DLQ_PREFIX, RAW_PREFIX } from "../../lib/archive/archive_key.ts";
import {
  createArchiveMetrics,
  DLQ_ARCHIVE_METRICS_PREFIX,
} from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { dlqArchiverSettings } from "../../lib/archive/archiver_settings.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { readArchive } from "../fixtures/archive_objects.ts";
import { readTopic } from "../fixtures/read_topic.ts";
import { seedPin } from "../fixtures/seed_pins.ts";

const silent = createLogger({ level: "silent" });

async function waitFor(what: string, predicate: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!await predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("[archiver] the dead-letter topic is archived under dlq/ beside the raw zone", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "dlq_archive_test_" });
  const bus = await createEmbeddedBus({
    dir: `${dir}/bus`,
    now: () => new Date("2026-11-26T11:30:00.000Z"),
  });
  const store = createLocalStore({ dir: `${dir}/archive` });
  try {
    await bus.ensureTopics([{ name: "pins", partitions: 2 }, { name: "pins.dlq", partitions: 1 }]);
    let clock = new Date("2026-11-26T10:59:59.000Z");
    const ingestor = createIngestor({
      bus,
      pinsTopic: "pins",
      dlqTopic: "pins.dlq",
      timeoutMs: 5000,
      newId: createUuidV7(),
      now: () => clock,
    });
    await ingestor.accept([seedPin(), seedPin()]);
    const problems = [{ path: "index", message: 'Expected an integer, got "x"' }];
    await ingestor.deadLetter([{ source: "edge:/pins", reason: "invalid", problems, raw: "{}" }]);
    clock = new Date("2026-11-26T11:00:00.000Z");
    await ingestor.deadLetter([
      { source: "edge:/pins", reason: "invalid", problems, raw: '{"index":"x"}', index: 3 },
    ]);
    await ingestor.close();
    await bus.produce("pins.dlq", [{ key: null, value: "not a dead letter {" }]);
    const letters = (await readTopic(bus, "pins.dlq", 3)).map((record) => record.value);

    const registry = new Registry();
    const config = loadConfig({});
    const settings = { flushSeconds: 3600, flushBytes: 1 << 20, flushEvents: 1000 };
    const pins = await createArchiver(
      { bus, store, logger: silent, metrics: createArchiveMetrics(registry) },
      { topic: "pins", ...settings },
    );
    const dlq = await createArchiver({
      bus,
      store,
      logger: silent,
      metrics: createArchiveMetrics(registry, DLQ_ARCHIVE_METRICS_PREFIX),
    }, { ...dlqArchiverSettings(config), ...settings });
    await waitFor("both archivers to hold every record", async () => {
      const text = await registry.metrics();
      return /^pipeline_archive_buffered_records 2$/m.test(text) &&
        /^pipeline_archive_dlq_buffered_records 3$/m.test(text);
    });
    await Promise.all([pins.stop(), dlq.stop()]);

    await t.step("the settings: the dead-letter topic, group archive-dlq, zone dlq/", () => {
      const { topic, groupId, keyPrefix } = dlqArchiverSettings(config);
      assert.deepEqual({ topic, groupId, keyPrefix }, {
        topic: "pins.dlq",
        groupId: "archive-dlq",
        keyPrefix: DLQ_PREFIX,
      });
    });
    await t.step(
      "every dead-letter record once, as on the topic, per hour of received_at",
      async () => {
        const { keys, lines } = await readArchive(store, DLQ_PREFIX);
        assert.deepEqual(lines.map(({ line }) => line), letters);
        assert.deepEqual(keys, [
          archiveKey("dt=2026-11-26/hour=10", 0, 0, 0, DLQ_PREFIX),
          archiveKey("dt=2026-11-26/hour=11", 0, 1, 2, DLQ_PREFIX),
        ]);
      },
    );
    await t.step("the raw zone holds only the pins", async () => {
      const { lines } = await readArchive(store, RAW_PREFIX);
      assert.equal(lines.length, 2);
      assert.ok(lines.every(({ line }) => JSON.parse(line).unique_id !== undefined));
    });
    await t.step("both archivers' metrics live in one registry under their own names", async () => {
      const text = await registry.metrics();
      assert.match(text, /^pipeline_archive_records_total 2$/m);
      assert.match(text, /^pipeline_archive_dlq_records_total 3$/m);
    });
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});
