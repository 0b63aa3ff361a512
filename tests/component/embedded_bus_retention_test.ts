import assert from "node:assert/strict";
import type { ConsumedRecord } from "../../lib/bus/bus.ts";
import {
  createEmbeddedBus,
  type EmbeddedBus,
  type EmbeddedBusOptions,
} from "../../lib/bus/embedded/embedded_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";

const HOUR = 3_600_000;
const START = Date.parse("2026-11-26T12:00:00Z");
/** 79-byte frames: two fit in a 200-byte segment, so records 2k and 2k+1 share one. */
const SEGMENT_BYTES = 200;
const VALUE = "v".repeat(46);

/** A bus in a fresh directory with an injected clock and small segments. */
interface Harness {
  dir: string;
  clock: { now: number };
  lines: string[];
  /** Resolves when a log line containing `text` is written. */
  logged(text: string): Promise<void>;
  open(options?: Partial<EmbeddedBusOptions>): Promise<EmbeddedBus>;
}

async function withHarness(body: (h: Harness) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "embedded_bus_retention_test_" });
  const clock = { now: START };
  const lines: string[] = [];
  const watchers = new Set<(line: string) => void>();
  const write = (line: string) => {
    lines.push(line);
    for (const watcher of [...watchers]) watcher(line);
  };
  const logger = createLogger({ level: "info", write });
  const logged = (text: string) =>
    new Promise<void>((resolve) => {
      const watcher = (line: string) => {
        if (!line.includes(text)) return;
        watchers.delete(watcher);
        resolve();
      };
      watchers.add(watcher);
    });
  try {
    await body({
      dir,
      clock,
      lines,
      logged,
      open: (options = {}) =>
        createEmbeddedBus({
          dir,
          logger,
          now: () => new Date(clock.now),
          segmentBytes: SEGMENT_BYTES,
          retention: { maxAgeMs: 24 * HOUR },
          ...options,
        }),
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Produces `count` records one call at a time, so that they fill segments in order. */
async function produceEach(bus: EmbeddedBus, count: number, from = 0): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await bus.produce("pins", [{ key: "k", value: `${String(i).padStart(4, "0")}${VALUE}` }]);
  }
}

/** The base offsets of partition 0's segment files. */
async function segmentBases(dir: string): Promise<number[]> {
  const bases: number[] = [];
  for await (const entry of Deno.readDir(`${dir}/pins/0`)) {
    bases.push(Number(entry.name.slice(0, 20)));
  }
  return bases.sort((a, b) => a - b);
}

/** Consumes partition 0 until `count` records arrived; commits them unless told not to. */
async function consume(
  bus: EmbeddedBus,
  groupId: string,
  count: number,
  options: { commitUpTo?: number; startAt?: number } = {},
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const done = Promise.withResolvers<void>();
  const joined = Promise.withResolvers<{ commit(p: number, o: number): Promise<void> }>();
  const consumer = await bus.consume({ groupId, topic: "pins" }, {
    onAssign: options.startAt === undefined
      ? undefined
      : () => Promise.resolve(new Map([[0, options.startAt!]])),
    async eachBatch(batch) {
      records.push(...batch.records);
      const next = Math.min(batch.records.at(-1)!.offset + 1, options.commitUpTo ?? Infinity);
      await (await joined.promise).commit(batch.partition, next);
      if (records.length >= count) done.resolve();
    },
  });
  joined.resolve(consumer);
  const timer = setTimeout(
    () => done.reject(new Error(`${groupId} got ${records.length}`)),
    10_000,
  );
  try {
    await done.promise;
  } finally {
    clearTimeout(timer);
    await consumer.stop();
  }
  return records;
}

Deno.test("[embedded_bus retention] nothing unconsumed is deleted", async (t) => {
  await withHarness(async ({ dir, clock, open }) => {
    const bus = await open({ retention: { maxAgeMs: HOUR, maxBytes: 1 } });
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
      await produceEach(bus, 10);
      assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8]);
      clock.now += 48 * HOUR;

      await t.step("a topic no group has joined is kept whole", async () => {
        assert.deepEqual(await bus.applyRetention(), []);
      });
      await t.step("a group that has joined and not committed pins everything", async () => {
        await (await bus.consume({ groupId: "idle", topic: "pins" }, {
          eachBatch: () => Promise.resolve(),
        })).stop();
        await consume(bus, "done", 10);
        assert.deepEqual(await bus.applyRetention(), []);
        assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8]);
      });
      await t.step("only segments every group has committed past go", async () => {
        await consume(bus, "idle", 10, { commitUpTo: 5 });
        const deleted = await bus.applyRetention();
        assert.deepEqual(deleted.map((d) => [d.baseOffset, d.lastOffset]), [[0, 1], [2, 3]]);
        assert.deepEqual(await segmentBases(dir), [4, 6, 8]);
      });
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus retention] consumed segments over a limit are deleted; the active one survives", async (t) => {
  await t.step("over the age limit", async () => {
    await withHarness(async ({ dir, clock, lines, open }) => {
      const bus = await open();
      try {
        await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
        await produceEach(bus, 4);
        clock.now += 2 * HOUR;
        await produceEach(bus, 6, 4);
        await consume(bus, "g", 10);
        clock.now += 23 * HOUR;
        const deleted = await bus.applyRetention();
        assert.deepEqual(deleted.map((d) => d.baseOffset), [0, 2], "only the older segments");
        assert.deepEqual(await segmentBases(dir), [4, 6, 8]);
        const logged = lines.map((line) => JSON.parse(line)).filter((entry) =>
          entry.msg === "Deleted an embedded bus segment (retention)"
        );
        assert.equal(logged.length, 2);
        assert.equal(logged[0].level, "info");
        assert.match(logged[0].segment, /pins\/0\/00000000000000000000\.log$/);
        assert.deepEqual(
          [logged[1].baseOffset, logged[1].lastOffset, logged[1].bytes, logged[1].logStartOffset],
          [2, 3, 2 * 79, 4],
        );

        clock.now += 48 * HOUR;
        assert.deepEqual((await bus.applyRetention()).map((d) => d.baseOffset), [4, 6]);
        assert.deepEqual(await segmentBases(dir), [8], "the active segment survives");
        assert.deepEqual(await bus.applyRetention(), []);
      } finally {
        await bus.close();
      }
    });
  });

  await t.step("over the size limit, oldest first, until the partition fits", async () => {
    await withHarness(async ({ dir, open }) => {
      const bus = await open({ retention: { maxBytes: 3 * 79 } });
      try {
        await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
        await produceEach(bus, 10);
        await consume(bus, "g", 10);
        const deleted = await bus.applyRetention();
        assert.deepEqual(deleted.map((d) => d.baseOffset), [0, 2, 4, 6]);
        assert.deepEqual(await segmentBases(dir), [8]);
      } finally {
        await bus.close();
      }
    });
  });

  await t.step("under every limit, consumed segments are kept", async () => {
    await withHarness(async ({ dir, clock, open }) => {
      const bus = await open({ retention: { maxAgeMs: 24 * HOUR, maxBytes: 10_000 } });
      try {
        await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
        await produceEach(bus, 10);
        await consume(bus, "g", 10);
        clock.now += 24 * HOUR;
        assert.deepEqual(await bus.applyRetention(), [], "exactly the age limit is not over it");
        assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8]);
      } finally {
        await bus.close();
      }
    });
  });
});

Deno.test("[embedded_bus retention] after deletion and a restart, reading starts at the new log start", async () => {
  await withHarness(async ({ clock, lines, open }) => {
    const first = await open();
    await first.ensureTopics([{ name: "pins", partitions: 1 }]);
    await produceEach(first, 10);
    await consume(first, "g", 10);
    clock.now += 25 * HOUR;
    assert.equal((await first.applyRetention()).length, 4);
    await first.close();

    const second = await open();
    try {
      await produceEach(second, 1, 10);
      const fresh = await consume(second, "fresh", 3);
      assert.deepEqual(
        fresh.map((r) => r.offset),
        [8, 9, 10],
        "a new group starts at the log start",
      );
      assert.equal(fresh[0]!.value.slice(0, 4), "0008");
      const asked = await consume(second, "replay", 3, { startAt: 0 });
      assert.deepEqual(asked.map((r) => r.offset), [8, 9, 10], "an offset below it reads from it");
      assert.match(lines.join("\n"), /Offset below the log start/);
      const resumed = await consume(second, "g", 1);
      assert.deepEqual(resumed.map((r) => r.offset), [10], "a committed group resumes as before");
    } finally {
      await second.close();
    }
  });
});

Deno.test("[embedded_bus retention] records survive a reopen across segments", async (t) => {
  await withHarness(async ({ dir, lines, open }) => {
    const first = await open();
    await first.ensureTopics([{ name: "pins", partitions: 1 }]);
    await produceEach(first, 9);
    await first.close();
    assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8]);

    await t.step("every record, in order, from every segment", async () => {
      const bus = await open();
      try {
        const got = await consume(bus, "a", 9);
        assert.deepEqual(got.map((r) => r.offset), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert.deepEqual(got.map((r) => Number(r.value.slice(0, 4))), got.map((r) => r.offset));
      } finally {
        await bus.close();
      }
    });

    await t.step("a torn tail of the active segment is cut; appends continue", async () => {
      await Deno.writeFile(`${dir}/pins/0/00000000000000000008.log`, new Uint8Array(30), {
        append: true,
      });
      const bus = await open();
      try {
        assert.match(lines.join("\n"), /Truncating a torn or corrupt tail/);
        await produceEach(bus, 3, 9);
        const got = await consume(bus, "b", 12);
        assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 12 }, (_, i) => i));
      } finally {
        await bus.close();
      }
      assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8, 10]);
    });

    await t.step(
      "a segment that does not follow its predecessor is cut with the tail",
      async () => {
        await Deno.writeFile(`${dir}/pins/0/00000000000000000099.log`, new Uint8Array(79));
        const bus = await open();
        try {
          const got = await consume(bus, "c", 12);
          assert.equal(got.at(-1)!.offset, 11);
        } finally {
          await bus.close();
        }
        assert.deepEqual(await segmentBases(dir), [0, 2, 4, 6, 8, 10]);
      },
    );
  });
});

Deno.test("[embedded_bus retention] a consumer follows the log across rolling segments", async () => {
  await withHarness(async ({ open }) => {
    const bus = await open();
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
      const consuming = consume(bus, "live", 20);
      await produceEach(bus, 20);
      const got = await consuming;
      assert.deepEqual(got.map((r) => r.offset), Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus retention] segments roll by age of their first record", async () => {
  await withHarness(async ({ dir, clock, open }) => {
    const bus = await open({ segmentBytes: 1_000_000, segmentMs: HOUR });
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
      await produceEach(bus, 3);
      clock.now += HOUR - 1;
      await produceEach(bus, 1, 3);
      assert.deepEqual(await segmentBases(dir), [0]);
      clock.now += 1;
      await produceEach(bus, 1, 4);
      assert.deepEqual(await segmentBases(dir), [0, 4]);
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus retention] runs in the background and at open", async (t) => {
  await withHarness(async ({ dir, clock, logged, open }) => {
    await t.step("a background pass deletes without being asked", async () => {
      const bus = await open({ retentionIntervalMs: 10 });
      try {
        await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
        await produceEach(bus, 4);
        await consume(bus, "g", 4);
        const deleted = logged("Deleted an embedded bus segment");
        clock.now += 25 * HOUR;
        await deleted;
        assert.deepEqual(await segmentBases(dir), [2]);
      } finally {
        await bus.close();
      }
    });

    await t.step("a pass runs when the bus opens", async () => {
      const first = await open({ retention: {} });
      await produceEach(first, 4, 4);
      await consume(first, "g", 4);
      await first.close();
      assert.deepEqual(await segmentBases(dir), [2, 4, 6]);
      clock.now += 25 * HOUR;
      const second = await open();
      await second.close();
      assert.deepEqual(await segmentBases(dir), [6]);
    });
  });
});

Deno.test("[embedded_bus retention] a log of the one-file format opens as its first segment", async () => {
  await withHarness(async ({ dir, open }) => {
    const first = await open();
    await first.ensureTopics([{ name: "pins", partitions: 1 }]);
    await produceEach(first, 2);
    await first.close();
    await Deno.rename(`${dir}/pins/0/00000000000000000000.log`, `${dir}/pins/0.log`);
    await Deno.remove(`${dir}/pins/0`);
    await Deno.writeTextFile(`${dir}/pins/topic.json`, '{"partitions":1,"format":1}');

    const bus = await open();
    try {
      assert.deepEqual(await segmentBases(dir), [0]);
      await produceEach(bus, 1, 2);
      const got = await consume(bus, "g", 3);
      assert.deepEqual(got.map((r) => Number(r.value.slice(0, 4))), [0, 1, 2]);
      assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/pins/topic.json`)).format, 2);
    } finally {
      await bus.close();
    }
  });
});
