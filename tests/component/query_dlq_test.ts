import assert from "node:assert/strict";
import { Registry } from "prom-client";
import {
  createArchiveMetrics,
  DLQ_ARCHIVE_METRICS_PREFIX,
} from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { DLQ_PREFIX } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { queryArchive } from "../../lib/query/query_runner.ts";
import { createLogger } from "../../lib/runtime/logger.ts";

const silent = createLogger({ level: "silent" });

Deno.test("[query] pins_dlq: the archived dead letters, fields typed, on a local archive", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "query_dlq_test_" });
  const bus = await createEmbeddedBus({
    dir: `${dir}/bus`,
    now: () => new Date("2026-11-26T11:30:00Z"),
  });
  const store = createLocalStore({ dir: `${dir}/archive` });
  try {
    await bus.ensureTopics([{ name: "pins", partitions: 1 }, { name: "pins.dlq", partitions: 1 }]);
    const ingestor = createIngestor({
      bus,
      pinsTopic: "pins",
      dlqTopic: "pins.dlq",
      timeoutMs: 5000,
      newId: createUuidV7(),
      now: () => new Date("2026-11-26T10:15:00.000Z"),
    });
    const problems = [{ path: "[2].index", message: 'Expected an integer, got "x"' }];
    await ingestor.deadLetter([
      { source: "edge:/pins", reason: "invalid", problems, raw: '{"index":"x"}', index: 2 },
      { source: "stream:pins/0@7", reason: "not JSON", problems: [], raw: "x".repeat(300 * 1024) },
    ]);
    await ingestor.close();
    await bus.produce("pins.dlq", [{ key: null, value: "not a dead letter" }]);
    const registry = new Registry();
    const archiver = await createArchiver({
      bus,
      store,
      logger: silent,
      metrics: createArchiveMetrics(registry, DLQ_ARCHIVE_METRICS_PREFIX),
    }, {
      topic: "pins.dlq",
      groupId: "archive-dlq",
      keyPrefix: DLQ_PREFIX,
      flushSeconds: 3600,
      flushBytes: 1 << 20,
      flushEvents: 3,
    });
    const deadline = Date.now() + 10_000;
    while (!/^pipeline_archive_dlq_records_total 3$/m.test(await registry.metrics())) {
      if (Date.now() > deadline) assert.fail("the dead letters were not archived in 10 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await archiver.stop();
    const query = async (sql: string) =>
      await queryArchive(await mirrorArchive(store, `${dir}/cache`, { logger: silent }), sql);

    await t.step(
      "one row per record, the record's fields typed, dt and hour from the key",
      async () => {
        const types = await query("SELECT column_name, column_type FROM (DESCRIBE pins_dlq)");
        assert.deepEqual(types.rows, [
          ["source", "VARCHAR"],
          ["reason", "VARCHAR"],
          ["problems", "JSON"],
          ["raw", "VARCHAR"],
          ["index", "BIGINT"],
          ["truncated", "BOOLEAN"],
          ["received_at", "VARCHAR"],
          ["dt", "DATE"],
          ["hour", "INTEGER"],
        ]);
        const result = await query(
          `SELECT source, reason, problems -> '$[0]' ->> '$.path', raw, "index", truncated, received_at, dt, hour
         FROM pins_dlq ORDER BY hour, source`,
        );
        assert.deepEqual(result.views, ["pins_dlq"]);
        assert.deepEqual(result.rows, [
          [
            "edge:/pins",
            "invalid",
            "[2].index",
            '{"index":"x"}',
            2,
            false,
            "2026-11-26T10:15:00.000Z",
            "2026-11-26",
            10,
          ],
          [
            "stream:pins/0@7",
            "not JSON",
            null,
            "x".repeat(64 * 1024),
            null,
            true,
            "2026-11-26T10:15:00.000Z",
            "2026-11-26",
            10,
          ],
          [null, null, null, null, null, null, null, "2026-11-26", 11],
        ]);
      },
    );
    await t.step("counts by reason, as the dashboard shows them", async () => {
      const result = await query(
        "SELECT coalesce(reason, '(not a dead letter)'), count(*) FROM pins_dlq GROUP BY 1 ORDER BY 1",
      );
      assert.deepEqual(result.rows, [["(not a dead letter)", 1], ["invalid", 1], ["not JSON", 1]]);
    });
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});
