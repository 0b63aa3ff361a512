import assert from "node:assert/strict";
import type { Bus, ConsumedRecord, OffsetRange } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { readWithThrowawayGroup } from "../../lib/bus/kafka/_throwaway_read.ts";

async function withBus(body: (bus: Bus, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bus_read_test_" });
  const bus = await createEmbeddedBus({ dir });
  try {
    await bus.ensureTopics([{ name: "t", partitions: 3 }]);
    await bus.produce(
      "t",
      Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` })),
    );
    await body(bus, dir);
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function collect(
  read: (onRecords: (records: ConsumedRecord[]) => void) => Promise<void>,
): Promise<Array<[number, number]>> {
  const seen: Array<[number, number]> = [];
  await read((records) => {
    seen.push(...records.map((r): [number, number] => [r.partition, r.offset]));
  });
  return seen;
}

function whole(offsets: { partition: number; earliest: number; end: number }[]) {
  return new Map<number, OffsetRange>(
    offsets.map((p) => [p.partition, { from: p.earliest, to: p.end }]),
  );
}

function expected(ranges: Map<number, OffsetRange>): Array<[number, number]> {
  return [...ranges].flatMap(([partition, { from, to }]) =>
    Array.from(
      { length: Math.max(0, to - from) },
      (_, i): [number, number] => [partition, from + i],
    )
  );
}

Deno.test("[bus:embedded] offsets gives each partition's earliest and end", async () => {
  await withBus(async (bus) => {
    const offsets = await bus.offsets("t");
    assert.deepEqual(offsets.map((p) => [p.partition, p.earliest]), [[0, 0], [1, 0], [2, 0]]);
    assert.equal(offsets.reduce((sum, p) => sum + p.end, 0), 300);
    await assert.rejects(bus.offsets("missing"), /Cannot read the offsets of topic 'missing'/);
  });
});

Deno.test("[bus:embedded] read hands over ranges from the logs, and leaves no consumer group", async (t) => {
  await withBus(async (bus, dir) => {
    const ranges = whole(await bus.offsets("t"));
    await bus.produce("t", [{ key: "later", value: "after the ends" }]);
    await t.step("the whole topic as it was, in offset order per partition", async () => {
      assert.deepEqual(await collect((on) => bus.read("t", ranges, on)), expected(ranges));
    });
    await t.step("one record; ranges clamped to what the partition holds", async () => {
      assert.deepEqual(
        await collect((on) => bus.read("t", new Map([[1, { from: 5, to: 6 }]]), on)),
        [[1, 5]],
      );
      const end = (await bus.offsets("t"))[2]!.end;
      const clamped = await collect((on) =>
        bus.read("t", new Map([[2, { from: end - 3, to: end + 50 }]]), on)
      );
      assert.deepEqual(clamped, [[2, end - 3], [2, end - 2], [2, end - 1]]);
    });
    await t.step(
      "a partition the topic does not have, or what the handler throws, fails the read",
      async () => {
        await assert.rejects(
          bus.read("t", new Map([[3, { from: 0, to: 1 }]]), () => {}),
          /Cannot read partition 3 of topic 't': it has 3/,
        );
        await assert.rejects(
          bus.read("t", ranges, () => {
            throw new Error("handler failed");
          }),
          /handler failed/,
        );
      },
    );
    await t.step("no group joined the topic, so retention is not held back", async () => {
      const groups = await Array.fromAsync(Deno.readDir(dir)).then((entries) =>
        entries.map((e) => e.name)
      );
      assert.ok(!groups.includes("_groups"), groups.join(", "));
    });
  });
});

Deno.test("[bus:kafka] the throwaway-group reader: up to the ends, or a stall naming where it stands", async (t) => {
  await withBus(async (bus) => {
    const ranges = whole(await bus.offsets("t"));
    await bus.produce("t", [{ key: "later", value: "after the ends" }]);
    await t.step("every record of the ranges once, in order per partition", async () => {
      const seen = await collect((on) =>
        readWithThrowawayGroup({ consume: bus.consume, groupPrefix: "test" }, "t", ranges, on)
      );
      assert.deepEqual(seen.sort((a, b) => a[0] - b[0] || a[1] - b[1]), expected(ranges));
    });
    await t.step("a range that never arrives fails after the idle bound", async () => {
      const deaf = {
        consume: ((options, handlers) =>
          bus.consume(options, {
            ...handlers,
            eachBatch: () => Promise.resolve(),
          })) as Bus["consume"],
        groupPrefix: "test",
        idleTimeoutMs: 200,
      };
      await assert.rejects(
        readWithThrowawayGroup(deaf, "t", new Map([[0, { from: 0, to: 1 }]]), () => {}),
        /^Error: Reading topic 't' stalled: .* partition 0 at offset 0 of 1 still to read$/,
      );
    });
  });
});
