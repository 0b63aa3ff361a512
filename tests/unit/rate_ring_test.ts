import assert from "node:assert/strict";
import { createRateRing } from "../../edge/http/rate_ring.ts";

function clock(start: number) {
  let time = start;
  return { now: () => time, set: (ms: number) => (time = ms) };
}

Deno.test("[rate_ring] counts land in their second and only complete seconds are read", () => {
  const t = clock(1_000_500);
  const ring = createRateRing({ seconds: 5, now: t.now });
  ring.add(3);
  ring.add();
  t.set(1_001_999);
  ring.add(2);
  assert.deepEqual(ring.series(), { until: 1_001_000, counts: [0, 0, 0, 0, 4] });
  t.set(1_002_000);
  assert.deepEqual(ring.series(), { until: 1_002_000, counts: [0, 0, 0, 4, 2] });
});

Deno.test("[rate_ring] old seconds wrap out of the ring and read as 0", () => {
  const t = clock(0);
  const ring = createRateRing({ seconds: 3, now: t.now });
  for (let second = 0; second < 7; second++) {
    t.set(second * 1000);
    ring.add(second + 1);
  }
  t.set(7_000);
  assert.deepEqual(ring.series().counts, [5, 6, 7]);
  t.set(9_000);
  assert.deepEqual(ring.series().counts, [7, 0, 0]);
  t.set(60_000);
  assert.deepEqual(ring.series().counts, [0, 0, 0]);
  ring.add(9);
  t.set(61_000);
  assert.deepEqual(ring.series().counts, [0, 0, 9]);
});

Deno.test("[rate_ring] ignores non-positive counts and refuses a bad size", () => {
  const t = clock(5_000);
  const ring = createRateRing({ seconds: 2, now: t.now });
  ring.add(0);
  ring.add(-4);
  ring.add(Number.NaN);
  t.set(6_000);
  assert.deepEqual(ring.series().counts, [0, 0]);
  assert.throws(() => createRateRing({ seconds: 0 }), /positive integer, not 0/);
  assert.throws(() => createRateRing({ seconds: 1.5 }), RangeError);
});

Deno.test("[rate_ring] defaults to 15 minutes on the real clock", () => {
  const ring = createRateRing();
  const { until, counts } = ring.series();
  assert.equal(counts.length, 900);
  assert.equal(until % 1000, 0);
  assert.ok(Math.abs(until - Date.now()) <= 1000);
});
