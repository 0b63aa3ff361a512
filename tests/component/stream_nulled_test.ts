import assert from "node:assert/strict";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { cleanPinWithOutcomes, type NulledCounts } from "../../lib/pin/clean_outcomes.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";

const silent = createLogger({ level: "silent" });

Deno.test("[stream:embedded] pipeline_clean_nulled_total counts what the cleaning nulled, by field and reason", async () => {
  const dir = await Deno.makeTempDir({ prefix: "stream-nulled-" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, logger: silent });
  const store = createSqlRealtimeStore(await createPgliteClient("memory://"), "embedded", "memory");
  try {
    await store.migrate();
    await bus.ensureTopics([{ name: "pins", partitions: 2 }, { name: "pins.dlq", partitions: 1 }]);
    const next = createPinGenerator({ seed: 31, posters: 100 });
    const receivedAt = new Date().toISOString();
    const events = Array.from({ length: 300 }, () => ({ ...next(), received_at: receivedAt }));
    events[3]!.follower_count = "lots";
    events[4]!.follower_count = "99999999999999999999k";
    events[5]!.tag_list = " , ,";
    const expected: NulledCounts = {};
    for (const event of events) {
      cleanPinWithOutcomes({ ...event, event_id: event.event_id! }, expected);
    }
    await bus.produce("pins", [
      ...events.map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
      { key: "x", value: JSON.stringify({ ...events[3], index: "poison" }) },
    ]);

    const metrics = createStreamMetrics(createProcessRegistry());
    const job = await startStreamJob({
      bus,
      store,
      metrics,
      logger: silent,
      topic: "pins",
      dlqTopic: "pins.dlq",
      batchRecords: 100,
    });
    const deadline = Date.now() + 30_000;
    const applied = async () =>
      [...(await store.offsets("realtime", "pins")).values()].reduce((a, b) => a + b, 0);
    while ((await applied()) < events.length + 1) {
      assert.ok(Date.now() < deadline, "Timed out waiting for every record");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await job.stop();

    const counted: NulledCounts = {};
    for (const { labels, value } of (await metrics.nulled.get()).values) {
      if (value === 0) continue;
      const field = labels.field as keyof NulledCounts;
      counted[field] = { ...counted[field], [labels.reason as string]: value };
    }
    assert.deepEqual(counted, expected);
    assert.equal(expected.follower_count?.unparseable, 2);
    assert.equal(expected.tag_list?.empty_list, 1);
  } finally {
    await store.close();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});
