import assert from "node:assert/strict";
import {
  type ArrayScan,
  measureValue,
  SCAN_STEP,
  scanArray,
  type ValueBounds,
} from "../../edge/http/json_spans.ts";

const BOUNDS = { maxDepth: 3, maxNodes: 5 };

/** Runs a scan to its end, without pausing. */
function arraySpans(text: string, maxItems: number, bounds: ValueBounds): ArrayScan {
  const scan = scanArray(text, maxItems, bounds);
  let step = scan.next();
  while (!step.done) step = scan.next();
  return step.value;
}

Deno.test("[json_spans] finds each item of an array, strings and nesting included", () => {
  const text = ' [ {"a":"x,]\\"}"}, [1,[2]] ,"s\\\\",3 ]  ';
  const scan = arraySpans(text, 10, BOUNDS);
  assert.ok(scan.ok);
  assert.deepEqual(scan.items.map(({ start, end }) => text.slice(start, end)), [
    '{"a":"x,]\\"}"}',
    "[1,[2]]",
    '"s\\\\"',
    "3",
  ]);
  assert.ok(scan.items.every((item) => item.excess === null));
  assert.deepEqual(arraySpans("[ ]", 10, BOUNDS), { ok: true, items: [] });
});

Deno.test("[json_spans] stops counting at the item past the limit", () => {
  assert.deepEqual(arraySpans("[1,2,3]", 3, BOUNDS).ok, true);
  assert.deepEqual(arraySpans("[1,2,3,4]", 3, BOUNDS), { ok: false, reason: "too-many" });
  // Counting stops there: what follows is never looked at.
  assert.deepEqual(arraySpans("[1,2,3,4," + "{".repeat(1000), 3, BOUNDS), {
    ok: false,
    reason: "too-many",
  });
});

Deno.test("[json_spans] marks an item deeper or larger than the bounds, and goes on", () => {
  const scan = arraySpans('[[[[[1]]]], {"a":{"b":1},"c":[],"d":0}, {"a":1}]', 10, BOUNDS);
  assert.ok(scan.ok);
  assert.deepEqual(scan.items.map((item) => item.excess), ["depth", "nodes", null]);
});

Deno.test("[json_spans] a broken array structure is malformed", async (t) => {
  for (const text of ["[1,2", "[1,]", "[,1]", "[1}", "[1] x", '["abc]']) {
    await t.step(text, () => {
      const scan = arraySpans(text, 10, BOUNDS);
      assert.ok(!scan.ok && scan.reason === "malformed", JSON.stringify(scan));
    });
  }
});

Deno.test("[json_spans] measures one value, stopping early, brackets in strings ignored", () => {
  assert.equal(measureValue('{"a":[{"b":"[[[["}]}', BOUNDS), null);
  assert.equal(measureValue("[[[[", BOUNDS), "depth");
  assert.equal(measureValue('{"a":1,"b":2,"c":3,"d":4,"e":5}', BOUNDS), "nodes");
  const started = performance.now();
  assert.equal(measureValue("[".repeat(5_000_000), BOUNDS), "depth");
  assert.ok(performance.now() - started < 100);
});

Deno.test("[json_spans] a long scan pauses every SCAN_STEP characters", () => {
  const text = `[${"[1],".repeat(SCAN_STEP)}1]`;
  const scan = scanArray(text, Infinity, BOUNDS);
  let pauses = 0;
  let step = scan.next();
  while (!step.done) {
    pauses++;
    step = scan.next();
  }
  assert.equal(pauses, Math.floor((text.length - 1) / SCAN_STEP));
  assert.ok(step.value.ok && step.value.items.length === SCAN_STEP + 1);
});
