import assert from "node:assert/strict";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { cleanPin } from "../../lib/pin/clean_pin.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import type { Registry } from "prom-client";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob, type StreamJobOptions } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { assertMatchesTruth, incompressibleText } from "../fixtures/realtime_store_cases.ts";
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
  options: Partial<StreamJobOptions> = {},
) {
  return startStreamJob({
    bus,
    store,
    metrics,
    logger: silent,
    topic: "pins",
    dlqTopic: "pins.dlq",
    batchRecords: 700,
    ...options,
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

function truthOf(list: ReturnType<typeof stamped>) {
  return list.map((e) => cleanPin({ ...e, event_id: e.event_id! }));
}

async function gaugeOf(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.partition), v.value]));
}

Deno.test("[stream:embedded] records breaking the text policy, written straight onto the topic, go to the DLQ", async () => {
  await withPipeline(async (bus, store) => {
    const events = stamped(30, 24);
    const breaking = [
      { ...events[0]!, event_id: "nul-poster", poster_name: "p\u0000q" },
      { ...events[0]!, event_id: "nul-category", category: "art\u0000" },
      { ...events[0]!, event_id: "e\u0000" },
      { ...events[0]!, event_id: "lone-title", title: "x\ud800y" },
      { ...events[0]!, event_id: "nested", extra: { notes: ["ok", "\udc00"] } },
    ];
    await bus.produce("pins", [
      ...breaking.map((e) => ({ key: "a", value: JSON.stringify(e) })),
      ...events.map((e) => ({ key: "a", value: JSON.stringify(e) })),
    ]);
    const job = await start(bus, store);
    await until("all offsets", async () => (await appliedOffsets(store)) === 35);
    await job.stop();
    await assertMatchesTruth(store, truthOf(events));
    const letters = (await readTopic(bus, "pins.dlq", 5)).map((r) => JSON.parse(r.value));
    assert.deepEqual(letters.map((l) => l.reason), Array(5).fill("not a pin event"));
    assert.deepEqual(letters.map((l) => l.problems[0].path), [
      "poster_name",
      "category",
      "event_id",
      "title",
      "extra.notes[1]",
    ]);
    assert.match(letters[0].problems[0].message, /U\+0000/);
    assert.match(letters[3].problems[0].message, /lone surrogate U\+D800/);
    const partition = letters[0].source.match(/^stream:pins\/(\d)@/)[1];
    assert.deepEqual(
      letters.map((l) => l.source),
      [0, 1, 2, 3, 4].map((offset) => `stream:pins/${partition}@${offset}`),
    );
  });
});

Deno.test("[stream:embedded] records the database refuses go to the DLQ with the reason and position; the rest count once and the partition moves on", async () => {
  await withPipeline(async (bus, store) => {
    const events = stamped(1000, 25);
    const refused = new Map([
      [17, { ...events[17]!, poster_name: incompressibleText(60_000) }],
      [600, { ...events[600]!, category: incompressibleText(30_000) }],
    ]);
    const sent = events.map((e, i) => refused.get(i) ?? e);
    await bus.produce("pins", sent.map((e) => ({ key: "one", value: JSON.stringify(e) })));
    const metrics = createStreamMetrics(createProcessRegistry());
    const job = await start(bus, store, metrics);
    try {
      await until("the first records", async () => (await appliedOffsets(store)) === 1000);
      const more = stamped(50, 26);
      await bus.produce("pins", more.map((e) => ({ key: "one", value: JSON.stringify(e) })));
      await until("the next batch", async () => (await appliedOffsets(store)) === 1050);
      const counted = [...events.filter((_, i) => !refused.has(i)), ...more];
      await assertMatchesTruth(store, truthOf(counted));
      assert.equal((await metrics.events.get()).values[0]!.value, counted.length);
      const letters = (await readTopic(bus, "pins.dlq", 2)).map((r) => JSON.parse(r.value));
      const partition = letters[0].source.match(/^stream:pins\/(\d)@/)[1];
      assert.deepEqual(letters.map((l) => l.source), [
        `stream:pins/${partition}@17`,
        `stream:pins/${partition}@600`,
      ]);
      for (const letter of letters) {
        assert.equal(letter.reason, "refused by the store");
        assert.match(letter.problems[0].message, /SQLSTATE 54000/);
      }
      assert.equal(JSON.parse(letters[0].raw).poster_name, refused.get(17)!.poster_name);
      assert.equal((await metrics.deadLetters.get()).values[0]!.value, 2);
    } finally {
      await job.stop();
    }
  });
});

Deno.test("[stream:embedded] an outage is retried until the store answers; the partition is reported stalled meanwhile, with a truthful lag", async () => {
  await withPipeline(async (bus, store) => {
    let down = true;
    const flaky: RealtimeStore = {
      ...store,
      apply: (batch) =>
        down
          ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"))
          : store.apply(batch),
    };
    const events = stamped(40, 27);
    await bus.produce("pins", events.map((e) => ({ key: "one", value: JSON.stringify(e) })));
    const registry = createProcessRegistry();
    const metrics = createStreamMetrics(registry);
    const clock = { ms: Date.now() };
    const job = await start(bus, flaky, metrics, {
      stallSeconds: 60,
      now: () => new Date(clock.ms),
    });
    try {
      const failed = async () =>
        (await metrics.batches.get()).values.find((v) => v.labels.result === "failed")?.value ?? 0;
      await until("a few failed attempts", async () => (await failed()) >= 3);
      assert.ok(job.health().ok, "not stalled before the stall period");
      clock.ms += 60_000;
      const health = job.health();
      assert.equal(health.ok, false);
      assert.match(
        health.detail,
        /^partition \d stalled: 40 records waiting, nothing committed for 60 s; last error: connect ECONNREFUSED/,
      );
      const [partition] = Object.entries(
        await gaugeOf(registry, "pipeline_stream_consumer_lag_records"),
      )
        .find(([, lag]) => lag > 0)!;
      assert.deepEqual(await gaugeOf(registry, "pipeline_stream_partition_stalled"), {
        [partition]: 1,
      });
      assert.deepEqual(await gaugeOf(registry, "pipeline_stream_consumer_lag_records"), {
        [partition]: 40,
      });
      down = false;
      await until("every event", async () => (await appliedOffsets(store)) === 40);
      assert.ok(job.health().ok);
      assert.deepEqual(await gaugeOf(registry, "pipeline_stream_partition_stalled"), {
        [partition]: 0,
      });
      assert.deepEqual(await gaugeOf(registry, "pipeline_stream_consumer_lag_records"), {
        [partition]: 0,
      });
      await assertMatchesTruth(store, truthOf(events));
    } finally {
      await job.stop();
    }
  });
});

Deno.test("[stream:embedded] stopping ends the wait through an outage", async () => {
  await withPipeline(async (bus, store) => {
    const metrics = createStreamMetrics(createProcessRegistry());
    const down: RealtimeStore = {
      ...store,
      apply: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")),
    };
    await bus.produce("pins", stamped(5, 28).map((e) => ({ key: "k", value: JSON.stringify(e) })));
    const job = await start(bus, down, metrics);
    await until("a failed attempt", async () => (await metrics.batches.get()).values.length > 0);
    const started = performance.now();
    await job.stop();
    assert.ok(performance.now() - started < 2000, "stop waited out the outage");
    assert.equal(await appliedOffsets(store), 0);
  });
});
