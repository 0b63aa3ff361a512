import assert from "node:assert/strict";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { cleanPin } from "../../lib/pin/clean_pin.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { assertMatchesTruth } from "../fixtures/realtime_store_cases.ts";
import { readTopic } from "../fixtures/read_topic.ts";

const silent = createLogger({ level: "silent" });

async function withPipeline(fn: (bus: Bus, store: RealtimeStore, dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "stream-job-" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, logger: silent });
  const store = createSqlRealtimeStore(await createPgliteClient("memory://"), "embedded", "memory");
  try {
    await store.migrate();
    await bus.ensureTopics([{ name: "pins", partitions: 3 }, { name: "pins.dlq", partitions: 1 }]);
    await fn(bus, store, dir);
  } finally {
    await store.close();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function stamped(count: number, seed: number) {
  const next = createPinGenerator({ seed, posters: 200 });
  return Array.from(
    { length: count },
    () => ({ ...next(), received_at: new Date().toISOString() }),
  );
}

function start(
  bus: Bus,
  store: RealtimeStore,
  metrics = createStreamMetrics(createProcessRegistry()),
) {
  return startStreamJob({
    bus,
    store,
    metrics,
    logger: silent,
    topic: "pins",
    dlqTopic: "pins.dlq",
    batchRecords: 700,
  });
}

async function until(what: string, predicate: () => Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function appliedOffsets(store: RealtimeStore): Promise<number> {
  return [...(await store.offsets("realtime", "pins")).values()].reduce((a, b) => a + b, 0);
}

Deno.test("[stream:embedded] counts every event once, across a restart and duplicates", async () => {
  await withPipeline(async (bus, store) => {
    const events = stamped(6000, 21);
    const records = (list: typeof events) =>
      list.map((e) => ({ key: e.poster_name, value: JSON.stringify(e) }));
    await bus.produce("pins", records(events.slice(0, 3000)));
    const metrics = createStreamMetrics(createProcessRegistry());
    let job = await start(bus, store, metrics);
    await until("the first half", async () => (await appliedOffsets(store)) === 3000);
    await job.stop();
    await bus.produce("pins", records([...events.slice(3000), ...events.slice(0, 100)]));
    job = await start(bus, store);
    await until("everything", async () => (await appliedOffsets(store)) === 6100);
    await job.stop();
    await assertMatchesTruth(store, events.map((e) => cleanPin({ ...e, event_id: e.event_id! })));
  });
});

Deno.test("[stream:embedded] poison records go to the DLQ with the reason and offset, and the rest still count", async () => {
  await withPipeline(async (bus, store) => {
    const events = stamped(50, 22);
    const { received_at: _, ...unstamped } = events[0]!;
    await bus.produce("pins", [
      { key: "a", value: "{not json" },
      ...events.map((e) => ({ key: "a", value: JSON.stringify(e) })),
      { key: "a", value: JSON.stringify({ ...events[1], index: "seven" }) },
      { key: "a", value: JSON.stringify(unstamped) },
    ]);
    const job = await start(bus, store);
    await until("all offsets", async () => (await appliedOffsets(store)) === 53);
    await job.stop();
    await assertMatchesTruth(store, events.map((e) => cleanPin({ ...e, event_id: e.event_id! })));
    const letters = (await readTopic(bus, "pins.dlq", 3)).map((r) => JSON.parse(r.value));
    assert.deepEqual(letters.map((l) => l.reason), [
      "not JSON",
      "not a pin event",
      "not stamped by the edge",
    ]);
    assert.match(letters[0].source, /^stream:pins\/\d@0$/);
    assert.equal(letters[0].raw, "{not json");
    assert.equal(letters[1].problems[0].path, "index");
  });
});

Deno.test("[stream:embedded] offsets come from the store, not from what the group committed on the bus", async () => {
  await withPipeline(async (bus, store) => {
    const events = stamped(500, 23);
    await bus.produce(
      "pins",
      events.map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
    );
    const ends = new Map<number, number>();
    const other = await bus.consume({ groupId: "realtime", topic: "pins" }, {
      eachBatch(batch) {
        ends.set(batch.partition, batch.records.at(-1)!.offset + 1);
        return Promise.resolve();
      },
    });
    await until(
      "a first pass",
      () => Promise.resolve([...ends.values()].reduce((a, b) => a + b, 0) === 500),
    );
    for (const [partition, end] of ends) await other.commit(partition, end);
    await other.stop();
    const job = await start(bus, store);
    await until("every event", async () => (await appliedOffsets(store)) === 500);
    await job.stop();
    await assertMatchesTruth(store, events.map((e) => cleanPin({ ...e, event_id: e.event_id! })));
  });
});
