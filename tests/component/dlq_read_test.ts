import assert from "node:assert/strict";
import type { Bus, ConsumedRecord } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { oneRecord, readRanges, wholeTopic } from "../../lib/dlq/read_range.ts";

async function withBus(body: (bus: Bus) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dlq_read_test_" });
  const bus = await createEmbeddedBus({ dir });
  try {
    await bus.ensureTopics([{ name: "t", partitions: 3 }]);
    await body(bus);
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function records(count: number, key: (i: number) => string) {
  return Array.from({ length: count }, (_, i) => ({ key: key(i), value: `v${i}` }));
}

Deno.test("[bus:embedded] offsets: each partition's earliest and end", async () => {
  await withBus(async (bus) => {
    assert.deepEqual(
      await bus.offsets("t"),
      [0, 1, 2].map((p) => ({ partition: p, earliest: 0, end: 0 })),
    );
    await bus.produce("t", records(10, () => "one key"));
    const ends = (await bus.offsets("t")).map((p) => p.end);
    assert.equal(ends.reduce((a, b) => a + b, 0), 10);
    assert.equal(ends.filter((end) => end === 10).length, 1);
    await assert.rejects(bus.offsets("missing"), /Cannot read the offsets of topic 'missing'/);
  });
});

Deno.test("[dlq] readRanges reads a topic to where it ended, or one record, with a throwaway group", async (t) => {
  await withBus(async (bus) => {
    await bus.produce("t", records(300, (i) => `k${i % 7}`));
    await t.step("the whole topic: every record once, in order per partition", async () => {
      const read: ConsumedRecord[] = [];
      const ranges = wholeTopic(await bus.offsets("t"));
      await bus.produce("t", records(50, (i) => `later${i}`));
      await readRanges(bus, "t", ranges, (batch) => {
        read.push(...batch);
      }, { maxBatchRecords: 16 });
      assert.equal(read.length, 300);
      for (const [partition, range] of ranges) {
        const offsets = read.filter((r) => r.partition === partition).map((r) => r.offset);
        assert.deepEqual(offsets, Array.from({ length: range.to }, (_, i) => i));
      }
    });
    await t.step("one record", async () => {
      const offsets = await bus.offsets("t");
      const partition = offsets.find((p) => p.end > 5)!.partition;
      const read: ConsumedRecord[] = [];
      await readRanges(bus, "t", oneRecord(offsets, partition, 5), (batch) => {
        read.push(...batch);
      });
      assert.deepEqual(read.map((r) => [r.partition, r.offset]), [[partition, 5]]);
    });
    await t.step("an empty topic returns at once", async () => {
      await bus.ensureTopics([{ name: "empty", partitions: 2 }]);
      await readRanges(bus, "empty", wholeTopic(await bus.offsets("empty")), () => {
        throw new Error("no records expected");
      });
    });
    await t.step("what the handler throws ends the read with that error", async () => {
      await assert.rejects(
        readRanges(bus, "t", wholeTopic(await bus.offsets("t")), () => {
          throw new Error("handler failed");
        }),
        /handler failed/,
      );
    });
    await t.step(
      "a range that never arrives fails after the idle bound, saying where it stands",
      async () => {
        const deaf: Bus = {
          ...bus,
          consume: (options, handlers) =>
            bus.consume(options, { ...handlers, eachBatch: () => Promise.resolve() }),
        };
        await assert.rejects(
          readRanges(deaf, "t", oneRecord(await bus.offsets("t"), 0, 0), () => {}, {
            idleTimeoutMs: 200,
          }),
          /^Error: Reading topic 't' stalled: .* partition 0 at offset 0 of 1 still to read$/,
        );
      },
    );
  });
});
