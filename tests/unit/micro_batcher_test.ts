import assert from "node:assert/strict";
import {
  ClosedError,
  createMicroBatcher,
  OverloadedError,
} from "../../lib/ingest/micro_batcher.ts";

function recorder(delayMs = 0, fail?: (items: number[]) => boolean) {
  const flushed: number[][] = [];
  let inFlight = 0, maxInFlight = 0;
  return {
    flushed,
    maxInFlight: () => maxInFlight,
    async flush(items: number[]) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      if (fail?.(items)) throw new Error("broker down");
      flushed.push(items);
    },
  };
}

const ones = (n: number) => Array.from({ length: n }, () => 1);

Deno.test("[micro_batcher] gathers concurrent callers into one flush", async () => {
  const r = recorder();
  const batcher = createMicroBatcher<number>({ flush: r.flush, lingerMs: 5 });
  await Promise.all(Array.from({ length: 50 }, (_, i) => batcher.add([i], [1])));
  assert.equal(r.flushed.length, 1);
  assert.deepEqual(r.flushed[0], Array.from({ length: 50 }, (_, i) => i));
  await batcher.close();
});

Deno.test("[micro_batcher] splits at maxItems and resolves a caller only when all its parts are flushed", async () => {
  const r = recorder(5);
  const batcher = createMicroBatcher<number>({ flush: r.flush, maxItems: 10, concurrency: 1 });
  const items = Array.from({ length: 35 }, (_, i) => i);
  await batcher.add(items, ones(35));
  assert.deepEqual(r.flushed.map((b) => b.length), [10, 10, 10, 5]);
  assert.deepEqual(r.flushed.flat(), items);
  assert.equal(r.maxInFlight(), 1);
  await batcher.close();
});

Deno.test("[micro_batcher] splits at maxBytes", async () => {
  const r = recorder();
  const batcher = createMicroBatcher<number>({ flush: r.flush, maxBytes: 100 });
  await batcher.add([1, 2, 3], [60, 60, 60]);
  assert.deepEqual(r.flushed, [[1], [2], [3]]);
  await batcher.close();
});

Deno.test("[micro_batcher] a failed flush rejects exactly its callers", async () => {
  const r = recorder(0, (items) => items.includes(13));
  const batcher = createMicroBatcher<number>({ flush: r.flush, maxItems: 1 });
  const results = await Promise.allSettled([
    batcher.add([12], [1]),
    batcher.add([13], [1]),
    batcher.add([14], [1]),
  ]);
  assert.deepEqual(results.map((x) => x.status), ["fulfilled", "rejected", "fulfilled"]);
  await batcher.close();
});

Deno.test("[micro_batcher] caps bytes in flight and frees them after flushing", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const batcher = createMicroBatcher<number>({ flush: () => gate, maxInFlightBytes: 100 });
  const first = batcher.add([1], [80]);
  assert.equal(batcher.inFlightBytes(), 80);
  await assert.rejects(batcher.add([2], [30]), OverloadedError);
  release();
  await first;
  assert.equal(batcher.inFlightBytes(), 0);
  await batcher.add([3], [30]);
  await batcher.close();
});

Deno.test("[micro_batcher] close flushes what it holds and then refuses", async () => {
  const r = recorder(2);
  const batcher = createMicroBatcher<number>({ flush: r.flush, lingerMs: 1000 });
  const pending = batcher.add([1, 2], [1, 1]);
  await batcher.close();
  await pending;
  assert.deepEqual(r.flushed, [[1, 2]]);
  await assert.rejects(batcher.add([3], [1]), ClosedError);
});

Deno.test("[micro_batcher] reports each flush", async () => {
  const seen: Array<{ items: number; ok: boolean }> = [];
  const batcher = createMicroBatcher<number>({
    flush: () => Promise.resolve(),
    onFlush: ({ items, ok }) => seen.push({ items, ok }),
  });
  await batcher.add([1, 2, 3], [1, 1, 1]);
  assert.deepEqual(seen, [{ items: 3, ok: true }]);
  await batcher.close();
});
