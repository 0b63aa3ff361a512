import assert from "node:assert/strict";
import type { Bus, OffsetRange } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import {
  createDeadLetterCounts,
  MAX_REASONS,
  NOT_A_DEAD_LETTER,
  OTHER_REASONS,
} from "../../lib/dlq/dlq_counts.ts";
import { deadLetterRecord } from "../../lib/pin/dead_letter.ts";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");

function letter(reason: string, at: number) {
  const record = deadLetterRecord(
    { source: "edge:/pins", reason, problems: [], raw: "{}" },
    new Date(at).toISOString(),
  );
  return { key: null, value: JSON.stringify(record) };
}

async function withBus(body: (bus: Bus) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dlq_counts_test_" });
  const bus = await createEmbeddedBus({ dir, now: () => new Date(NOW) });
  try {
    await bus.ensureTopics([{ name: "pins.dlq", partitions: 1 }]);
    await body(bus);
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[dlq_counts] counts by reason, reads only what is new, and moves the 24 h window with the clock", async (t) => {
  await withBus(async (bus) => {
    let now = NOW;
    const reads: OffsetRange[] = [];
    const watched: Bus = {
      ...bus,
      read: (topic, ranges, onRecords) => {
        reads.push(...ranges.values());
        return bus.read(topic, ranges, onRecords);
      },
    };
    const counts = createDeadLetterCounts({ bus: watched, topic: "pins.dlq", now: () => now });
    await bus.produce("pins.dlq", [
      letter("invalid", NOW - 25 * 3_600_000),
      letter("invalid", NOW - 60_000),
      letter("not JSON", NOW - 23 * 3_600_000),
      { key: null, value: "garbage" },
    ]);
    await t.step("the first read covers the topic", async () => {
      assert.deepEqual(await counts.read(), {
        total: 4,
        last_24h: 3,
        by_reason: [
          { reason: "invalid", total: 2, last_24h: 1 },
          { reason: NOT_A_DEAD_LETTER, total: 1, last_24h: 1 },
          { reason: "not JSON", total: 1, last_24h: 1 },
        ],
        complete: true,
      });
      assert.deepEqual(reads, [{ from: 0, to: 4 }]);
    });
    await t.step("within refreshMs nothing is read again", async () => {
      await bus.produce("pins.dlq", [letter("invalid", NOW)]);
      assert.equal((await counts.read()).total, 4);
      assert.equal(reads.length, 1);
    });
    await t.step("later, only the new records are read", async () => {
      now += 10_000;
      assert.equal((await counts.read()).total, 5);
      assert.deepEqual(reads.at(-1), { from: 4, to: 5 });
    });
    await t.step("two hours later, what is now over 24 hours old leaves last_24h", async () => {
      now += 2 * 3_600_000;
      const view = await counts.read();
      assert.equal(view.total, 5);
      assert.deepEqual(
        view.by_reason.map((r) => [r.reason, r.last_24h]),
        [["invalid", 2], [NOT_A_DEAD_LETTER, 1], ["not JSON", 0]],
      );
    });
  });
});

Deno.test("[dlq_counts] memory stays bounded: reasons past the limit are counted together", async () => {
  await withBus(async (bus) => {
    const reasons = Array.from({ length: MAX_REASONS + 5 }, (_, i) => `reason ${i}`);
    await bus.produce("pins.dlq", reasons.map((reason) => letter(reason, NOW)));
    const view = await createDeadLetterCounts({ bus, topic: "pins.dlq", now: () => NOW }).read();
    assert.equal(view.by_reason.length, MAX_REASONS + 1);
    assert.deepEqual(view.by_reason.find((r) => r.reason === OTHER_REASONS), {
      reason: OTHER_REASONS,
      total: 5,
      last_24h: 5,
    });
    assert.equal(view.total, MAX_REASONS + 5);
  });
});

Deno.test("[dlq_counts] a slow first read answers with what it has, marked incomplete", async () => {
  await withBus(async (bus) => {
    await bus.produce("pins.dlq", [letter("invalid", NOW)]);
    const gate = Promise.withResolvers<void>();
    const slow: Bus = {
      ...bus,
      read: async (topic, ranges, onRecords) => {
        await gate.promise;
        return await bus.read(topic, ranges, onRecords);
      },
    };
    const counts = createDeadLetterCounts({
      bus: slow,
      topic: "pins.dlq",
      now: () => NOW,
      waitMs: 20,
    });
    assert.deepEqual(await counts.read(), {
      total: 0,
      last_24h: 0,
      by_reason: [],
      complete: false,
    });
    gate.resolve();
    const deadline = Date.now() + 5000;
    let view = await counts.read();
    while (!view.complete && Date.now() < deadline) view = await counts.read();
    assert.deepEqual([view.total, view.complete], [1, true]);
  });
});
