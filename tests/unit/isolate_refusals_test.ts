import assert from "node:assert/strict";
import type { CleanPin } from "../../lib/pin/clean_pin.ts";
import { type PositionedPin, RecordsRefusedError } from "../../lib/realtime/realtime_store.ts";
import { applyIsolatingRefusals } from "../../lib/stream/isolate_refusals.ts";

function positioned(offsets: number[]): PositionedPin[] {
  return offsets.map((offset) => ({ offset, pin: { event_id: `e${offset}` } as CleanPin }));
}

/** A store that refuses every part holding a poisoned offset, and logs what happens in order. */
function fakeStore(poisoned: Set<number>) {
  const log: string[] = [];
  const applied: number[] = [];
  let stored = 0;
  return {
    log,
    applied,
    deps: {
      apply(pins: PositionedPin[], nextOffset: number) {
        if (pins.some((item) => poisoned.has(item.offset))) {
          return Promise.reject(new RecordsRefusedError("54000", "index row too large"));
        }
        applied.push(...pins.map((item) => item.offset));
        stored = nextOffset;
        log.push(`commit ${nextOffset}`);
        return Promise.resolve({ applied: pins.length, duplicates: 0, replayed: 0 });
      },
      refuse(item: PositionedPin, error: RecordsRefusedError) {
        assert.ok(stored <= item.offset, `offset ${stored} moved past refused ${item.offset}`);
        log.push(`refuse ${item.offset} ${error.sqlstate}`);
        return Promise.resolve();
      },
    },
  };
}

Deno.test("[stream] a batch the store takes is applied in one transaction", async () => {
  const store = fakeStore(new Set());
  const result = await applyIsolatingRefusals(positioned([0, 1, 2, 3]), 4, store.deps);
  assert.deepEqual(result, { applied: 4, duplicates: 0, replayed: 0, refused: 0 });
  assert.deepEqual(store.log, ["commit 4"]);
});

Deno.test("[stream] refused records are isolated, dead-lettered before the offset passes them, the rest applied once", async (t) => {
  const cases: Array<[string, number[], number[], number]> = [
    ["one in the middle", [0, 1, 2, 3, 4, 5, 6, 7], [5], 8],
    ["the first and the last", [0, 1, 2, 3, 4], [0, 4], 5],
    ["every record", [10, 11, 12], [10, 11, 12], 13],
    ["one alone", [7], [7], 9],
    ["gaps left by poison the parser sent away", [0, 2, 3, 9, 12], [3, 9], 15],
  ];
  for (const [name, offsets, poisoned, nextOffset] of cases) {
    await t.step(name, async () => {
      const store = fakeStore(new Set(poisoned));
      const result = await applyIsolatingRefusals(positioned(offsets), nextOffset, store.deps);
      assert.equal(result.refused, poisoned.length);
      assert.equal(result.applied, offsets.length - poisoned.length);
      assert.deepEqual(store.applied, offsets.filter((offset) => !poisoned.includes(offset)));
      assert.deepEqual(
        store.log.filter((line) => line.startsWith("refuse")),
        poisoned.map((offset) => `refuse ${offset} 54000`),
      );
      assert.equal(store.log.at(-1), `commit ${nextOffset}`);
    });
  }
});

Deno.test("[stream] errors other than a refusal of records are the caller's", async () => {
  const outage = new Error("connect ECONNREFUSED 127.0.0.1:5432");
  await assert.rejects(
    applyIsolatingRefusals(positioned([0, 1]), 2, {
      apply: () => Promise.reject(outage),
      refuse: () => Promise.reject(new Error("not called")),
    }),
    (error) => error === outage,
  );
  const refusedOffsetMove = new RecordsRefusedError("22000", "no pins, yet refused");
  await assert.rejects(
    applyIsolatingRefusals([], 2, {
      apply: () => Promise.reject(refusedOffsetMove),
      refuse: () => Promise.reject(new Error("not called")),
    }),
    (error) => error === refusedOffsetMove,
  );
});
