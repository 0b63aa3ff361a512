import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { parseArchiveKey } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import type { Bus, BusRecord } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { readArchive } from "../fixtures/archive_objects.ts";

const TOPIC = "pins";
const silent = createLogger({ level: "silent" });

function events(count: number, seed: number): BusRecord[] {
  const next = createPinGenerator({ seed });
  return Array.from({ length: count }, () => {
    const event = next();
    const value = JSON.stringify({ ...event, received_at: "2026-11-26T10:00:00.000Z" });
    return { key: event.poster_name, value };
  });
}

async function withBus(body: (bus: Bus, store: ObjectStore) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "archiver_flush_test_" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus` });
  try {
    await bus.ensureTopics([{ name: TOPIC, partitions: 3 }]);
    await body(bus, createLocalStore({ dir: `${dir}/archive` }));
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** An archiver whose bounds are never reached in a test: only flushNow or stop writes. */
function start(bus: Bus, store: ObjectStore) {
  return createArchiver(
    { bus, store, logger: silent, metrics: createArchiveMetrics(new Registry()) },
    {
      topic: TOPIC,
      flushEvents: 1_000_000,
      flushSeconds: 3600,
      flushBytes: 64 * 1024 * 1024,
      maxBatchRecords: 40,
      retry: { minMs: 10, maxMs: 50 },
      stopTimeoutMs: 1000,
    },
  );
}

Deno.test("[embedded_bus] groupPositions: each partition's end, and where a group stands, joined or not", async () => {
  await withBus(async (bus) => {
    await bus.produce(TOPIC, events(30, 1));
    const fresh = await bus.groupPositions("never-joined", TOPIC);
    assert.deepEqual(fresh.map((p) => p.committed), [0, 0, 0]);
    assert.equal(fresh.reduce((sum, p) => sum + p.end, 0), 30);
    const consumer = await bus.consume({ groupId: "g", topic: TOPIC }, {
      eachBatch: () => Promise.resolve(),
    });
    await consumer.commit(1, 2);
    const joined = await bus.groupPositions("g", TOPIC);
    assert.deepEqual(joined.map((p) => p.committed), [0, 2, 0]);
    await consumer.stop();
    assert.deepEqual((await bus.groupPositions("g", TOPIC)).map((p) => p.committed), [0, 2, 0]);
    await assert.rejects(bus.groupPositions("g", "nope"), /topic 'nope': it does not exist/);
  });
});

Deno.test("[archiver] flushNow archives every acknowledged record at once, far below the bounds", async () => {
  await withBus(async (bus, store) => {
    const archiver = await start(bus, store);
    try {
      const first = events(500, 2);
      for (let i = 0; i < first.length; i += 100) await bus.produce(TOPIC, first.slice(i, i + 100));
      const report = await archiver.flushNow();
      assert.equal(report.records, 500);
      assert.ok(report.partitions > 0 && report.partitions <= 3);
      let { lines, keys } = await readArchive(store);
      assert.equal(lines.length, 500);
      assert.ok(keys.every((key) => parseArchiveKey(key) !== null), keys.join("\n"));
      for (const { committed, end } of await bus.groupPositions("archive", TOPIC)) {
        assert.equal(committed, end, "committed after the upload, up to the end");
      }

      await bus.produce(TOPIC, events(7, 3));
      assert.equal((await archiver.flushNow()).records, 7);
      ({ lines } = await readArchive(store));
      assert.equal(lines.length, 507);
      assert.equal((await archiver.flushNow()).records, 0, "nothing left: nothing to wait for");
      assert.equal((await readArchive(store)).lines.length, 507);
    } finally {
      await archiver.stop();
    }
  });
});

Deno.test("[archiver] flushNow on a failing store gives up after its timeout, naming the partition and why", async () => {
  await withBus(async (bus, store) => {
    const failing: ObjectStore = {
      ...store,
      put: () => Promise.reject(new Error("S3 is down (test)")),
    };
    const archiver = await start(bus, failing);
    try {
      await bus.produce(TOPIC, events(5, 4));
      await assert.rejects(
        archiver.flushNow({ timeoutMs: 300 }),
        /^Error: Cannot flush the archive within 0.3 s: partition \d is archived up to offset 0 of \d \(S3 is down \(test\)\)/,
      );
    } finally {
      await archiver.stop();
    }
    await assert.rejects(archiver.flushNow(), /the archiver is stopping/);
  });
});
