import assert from "node:assert/strict";
import { Registry } from "prom-client";
import {
  createArchiveMetrics,
  DLQ_ARCHIVE_METRICS_PREFIX,
} from "../../lib/archive/archive_metrics.ts";
import { DLQ_PREFIX } from "../../lib/archive/archive_key.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { deadLetterRecord } from "../../lib/pin/dead_letter.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { queryArchive } from "../../lib/query/query_runner.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropBucket, readArchive, s3Credentials } from "../fixtures/archive_objects.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

const silent = createLogger({ level: "silent" });

await testWithService("s3", {
  name:
    "[query:s3] the dead-letter archiver writes dlq/ to S3 and pins_dlq reads it from the mirror",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const bucket = `it-query-dlq-${crypto.randomUUID().slice(0, 13)}`;
    const dir = await Deno.makeTempDir({ prefix: "query-dlq-s3-" });
    const bus = await createEmbeddedBus({ dir: `${dir}/bus` });
    const store = createS3Store({
      endpoint: endpoints.s3Endpoint,
      bucket,
      region: endpoints.s3Region,
      logger: silent,
      credentials: s3Credentials(),
    });
    try {
      await bus.ensureTopics([{ name: "pins.dlq", partitions: 1 }]);
      const problems = [{ path: "category", message: "Missing required field 'category'" }];
      const letters = ["2026-11-26T09:59:59.999Z", "2026-11-26T10:00:00.000Z"].map((at, i) =>
        JSON.stringify(
          deadLetterRecord(
            { source: "edge:/pins", reason: "invalid", problems, raw: `{"i":${i}}` },
            at,
          ),
        )
      );
      await bus.produce("pins.dlq", letters.map((value) => ({ key: null, value })));
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
        flushEvents: 2,
      });
      const deadline = Date.now() + 20_000;
      while (!/^pipeline_archive_dlq_records_total 2$/m.test(await registry.metrics())) {
        if (Date.now() > deadline) assert.fail("the dead letters were not archived in 20 s");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await archiver.stop();

      await t.step("one object per hour under dlq/, the records as on the topic", async () => {
        const { keys, lines } = await readArchive(store, DLQ_PREFIX);
        assert.deepEqual(keys.map((key) => key.split("/").slice(0, 3).join("/")), [
          "dlq/dt=2026-11-26/hour=09",
          "dlq/dt=2026-11-26/hour=10",
        ]);
        assert.deepEqual(lines.map(({ line }) => line), letters);
      });
      await t.step("pins_dlq over the mirror", async () => {
        const mirror = await mirrorArchive(store, `${dir}/cache`, { logger: silent });
        assert.equal(mirror.dlq.length, 2);
        const result = await queryArchive(
          mirror,
          "SELECT hour, raw, problems -> '$[0]' ->> '$.path', truncated FROM pins_dlq ORDER BY hour",
        );
        assert.deepEqual(result.rows, [[9, '{"i":0}', "category", false], [
          10,
          '{"i":1}',
          "category",
          false,
        ]]);
      });
    } finally {
      await store.close();
      await bus.close();
      await dropBucket(bucket);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
