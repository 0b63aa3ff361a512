import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { parseArchiveKey } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import type { Bus, BusRecord } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { readArchive } from "../fixtures/archive_objects.ts";

const TOPIC = "pins";
const BUS_CLOCK = new Date("2030-05-06T07:08:09.000Z");
const silent = createLogger({ level: "silent" });

/** Pin events stamped as the edge does, the first half in 10:xx, the rest in 11:xx. */
function events(count: number, seed: number): BusRecord[] {
  const next = createPinGenerator({ seed });
  return Array.from({ length: count }, (_, i) => {
    const event = next();
    const hour = i < count / 2 ? "10:59:59" : "11:00:00";
    const receivedAt = `2026-11-26T${hour}.${String(i % 1000).padStart(3, "0")}Z`;
    return { key: event.poster_name, value: JSON.stringify({ ...event, received_at: receivedAt }) };
  });
}

interface Rig {
  dir: string;
  bus: Bus;
  store: ObjectStore;
}

async function withRig(body: (rig: Rig) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "archiver_test_" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, now: () => BUS_CLOCK });
  const store = createLocalStore({ dir: `${dir}/archive` });
  try {
    await bus.ensureTopics([{ name: TOPIC, partitions: 3 }]);
    await body({ dir, bus, store });
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function start(
  bus: Bus,
  store: ObjectStore,
  options: { flushEvents?: number; flushSeconds?: number; flushBytes?: number } = {},
) {
  const metrics = createArchiveMetrics(new Registry());
  const archiver = await createArchiver({ bus, store, logger: silent, metrics }, {
    topic: TOPIC,
    flushEvents: options.flushEvents ?? 100,
    flushSeconds: options.flushSeconds ?? 3600,
    flushBytes: options.flushBytes ?? 64 * 1024 * 1024,
    maxBatchRecords: 50,
    retry: { minMs: 10, maxMs: 50 },
    stopTimeoutMs: 2000,
  });
  return { metrics, archiver };
}

async function counter(metric: { get(): Promise<{ values: { value: number }[] }> }) {
  return (await metric.get()).values.reduce((sum, value) => sum + value.value, 0);
}

async function waitFor(what: string, predicate: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!await predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every event id once, no raw line twice, and no offset in two objects. */
function assertExactlyOnce(lines: { line: string }[], keys: string[], expected: string[]) {
  const ids = lines.map(({ line }) => JSON.parse(line).event_id as string);
  assert.equal(ids.length, expected.length, "lines across the objects");
  assert.deepEqual(new Set(ids), new Set(expected));
  const ranges = keys.map((key) => parseArchiveKey(key)!);
  for (const a of ranges) {
    for (const b of ranges) {
      if (a === b || a.partition !== b.partition || a.dt !== b.dt || a.hour !== b.hour) continue;
      assert.ok(
        a.lastOffset < b.firstOffset || b.lastOffset < a.firstOffset,
        `overlapping objects ${JSON.stringify(a)} ${JSON.stringify(b)}`,
      );
    }
  }
}

/** Produces fresh keyed records and reads group `archive` until they arrive: none of the old may. */
async function assertAllCommitted(bus: Bus, archivedIds: Set<string>) {
  const probe = events(60, 999).map((record) => ({ ...record, value: `probe ${record.value}` }));
  await bus.produce(TOPIC, probe);
  const seen: string[] = [];
  const { promise: done, resolve } = Promise.withResolvers<void>();
  const consumer = await bus.consume({ groupId: "archive", topic: TOPIC }, {
    eachBatch(batch) {
      for (const record of batch.records) seen.push(record.value);
      if (seen.filter((value) => value.startsWith("probe ")).length === probe.length) resolve();
      return Promise.resolve();
    },
  });
  await done;
  await consumer.stop();
  const replayed = seen.filter((value) => !value.startsWith("probe "));
  assert.deepEqual(replayed.filter((v) => archivedIds.has(JSON.parse(v).event_id)), []);
}

Deno.test("[archiver] N events in: exactly N lines, keys per partition and hour, offsets committed", async () => {
  await withRig(async ({ bus, store }) => {
    const records = events(2000, 1);
    const garbage: BusRecord[] = [
      { key: null, value: "not json {" },
      { key: null, value: JSON.stringify({ index: 1, event_id: "no-received-at" }) },
    ];
    const { metrics, archiver } = await start(bus, store, { flushEvents: 150 });
    for (let i = 0; i < records.length; i += 250) {
      await bus.produce(TOPIC, records.slice(i, i + 250));
    }
    await bus.produce(TOPIC, garbage);
    const total = records.length + garbage.length;
    await waitFor("full flushes", async () => (await counter(metrics.recordsArchived)) >= 1700);
    await archiver.stop(); // writes the partial buffers
    assert.equal(await counter(metrics.recordsArchived), total);
    assert.equal(await counter(metrics.bufferedRecords), 0);

    const { keys, lines } = await readArchive(store);
    assert.equal(lines.length, total);
    const raw = new Set(lines.map(({ line }) => line));
    for (const record of [...records, ...garbage]) assert.ok(raw.has(record.value), record.value);
    const hours = new Set(keys.map((key) => key.split("/").slice(1, 3).join("/")));
    assert.deepEqual([...hours].sort(), [
      "dt=2026-11-26/hour=10",
      "dt=2026-11-26/hour=11",
      "dt=2030-05-06/hour=07", // the records without received_at: the bus timestamp
    ]);
    for (const { line, hour } of lines) {
      if (line === "not json {") assert.equal(hour, "dt=2030-05-06/hour=07");
      else if (JSON.parse(line).received_at) {
        assert.equal(hour, `dt=2026-11-26/hour=${JSON.parse(line).received_at.slice(11, 13)}`);
      }
    }
    for (const key of keys) {
      assert.match(
        key,
        /^pins\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/[0-2]-\d{20}-\d{20}\.ndjson\.gz$/,
      );
    }
    assertExactlyOnce(
      lines.filter(({ line }) => line.startsWith("{")),
      keys,
      [...records, garbage[1]!].map((record) => JSON.parse(record.value).event_id),
    );
    assert.equal(await counter(metrics.objectsWritten), keys.length);
    await assertAllCommitted(
      bus,
      new Set(lines.filter((l) => l.line.startsWith("{")).map((l) => JSON.parse(l.line).event_id)),
    );
  });
});

Deno.test("[archiver] the age bound flushes on a timer, without new records", async () => {
  await withRig(async ({ bus, store }) => {
    const { metrics, archiver } = await start(bus, store, {
      flushEvents: 1_000_000,
      flushSeconds: 1,
    });
    try {
      await bus.produce(TOPIC, events(10, 2));
      await waitFor(
        "the timed flush",
        async () => (await counter(metrics.recordsArchived)) === 10,
        5000,
      );
      assert.ok((await counter(metrics.lastUploadTimestamp)) > 0);
    } finally {
      await archiver.stop();
    }
  });
});

/** A store whose puts fail while `failing` is true. */
function flaky(store: ObjectStore) {
  const state = { failing: false, failures: 0 };
  const wrapped: ObjectStore = {
    ...store,
    put(key, body, type) {
      if (state.failing) {
        state.failures++;
        return Promise.reject(new Error("S3 is down (test)"));
      }
      return store.put(key, body, type);
    },
  };
  return { store: wrapped, state };
}

Deno.test("[archiver] a failing store: no commit, bounded buffer, nothing lost once it is back", async () => {
  await withRig(async ({ bus, store: local }) => {
    const { store, state } = flaky(local);
    const { metrics, archiver } = await start(bus, store, { flushEvents: 100, flushSeconds: 1 });
    try {
      state.failing = true;
      const records = events(3000, 3);
      await bus.produce(TOPIC, records);
      await waitFor("failed uploads", () => Promise.resolve(state.failures >= 6));
      await waitFor("backpressure", async () => {
        const held = await counter(metrics.bufferedRecords);
        return held > 0 && held === (await counter(metrics.bufferedRecords));
      });
      // 3 partitions, each at most 2 x 100 held plus the batch in hand (50).
      assert.ok(await counter(metrics.bufferedRecords) <= 3 * (2 * 100 + 50));
      assert.ok(await counter(metrics.consumerLag) > 0);
      assert.equal(await counter(metrics.recordsArchived), 0);
      assert.ok(await counter(metrics.uploadFailures) >= 6);
      const health = archiver.health();
      assert.equal(health.ok, true); // degraded only after a minute of failures
      state.failing = false;
      await waitFor("recovery", async () => (await counter(metrics.recordsArchived)) === 3000);
      const { keys, lines } = await readArchive(local);
      assertExactlyOnce(lines, keys, records.map((r) => JSON.parse(r.value).event_id));
    } finally {
      await archiver.stop();
    }
  });
});

/** A bus whose consumers never commit partition `stuck`: a worker killed after its upload. */
function noCommit(bus: Bus, stuck: { partition: number | null }): Bus {
  return {
    ...bus,
    async consume(options, handlers) {
      const consumer = await bus.consume(options, handlers);
      return {
        commit(partition, next) {
          if (partition === stuck.partition) return Promise.reject(new Error("killed (test)"));
          return consumer.commit(partition, next);
        },
        stop: () => consumer.stop(),
      };
    },
  };
}

Deno.test("[archiver] killed between upload and commit: the replay rewrites the same objects", async () => {
  await withRig(async ({ bus, store }) => {
    const records = events(1200, 4);
    await bus.produce(TOPIC, records);
    const stuck = { partition: 1 as number | null };
    const first = await start(noCommit(bus, stuck), store, { flushEvents: 130 });
    await waitFor("an uncommitted upload of partition 1", async () => {
      const objects = await store.list("pins/");
      return objects.some((object) => parseArchiveKey(object.key)?.partition === 1);
    });
    await first.archiver.stop(); // cannot commit partition 1: leaves it to the replay
    const before = (await store.list("pins/")).map((object) => object.key);
    // Other bounds: without the flush intent the replay would cut elsewhere.
    const { archiver } = await start(bus, store, { flushEvents: 70, flushSeconds: 1 });
    try {
      await waitFor("everything archived", async () => {
        const { lines } = await readArchive(store);
        return lines.length >= records.length;
      });
      await new Promise((resolve) => setTimeout(resolve, 1500)); // a timed flush would show a duplicate
      const { keys, lines } = await readArchive(store);
      for (const key of before) assert.ok(keys.includes(key), `${key} was not rewritten in place`);
      assertExactlyOnce(lines, keys, records.map((r) => JSON.parse(r.value).event_id));
    } finally {
      await archiver.stop();
    }
  });
});
