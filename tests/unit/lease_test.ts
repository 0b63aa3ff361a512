import assert from "node:assert/strict";
import { type Lease, leaseHolder, type LeaseTry, waitForLease } from "../../lib/history/lease.ts";

const lease: Lease = {
  name: "2026-01-02",
  holder: "me",
  lost: new AbortController().signal,
  release: () => Promise.resolve(),
};

/** A take that is refused `refusals` times, then succeeds. */
function _takeAfter(refusals: number) {
  const calls = { count: 0 };
  const take = (): Promise<LeaseTry> =>
    Promise.resolve(++calls.count > refusals ? { lease } : { heldBy: "other:1:aa" });
  return { take, calls };
}

Deno.test("[lease] leaseHolder names the host, the process and a random suffix", () => {
  const holder = leaseHolder(() => new Uint8Array([0x3e, 0x0a, 0x51, 0xc2]));
  assert.equal(holder, `${Deno.hostname()}:${Deno.pid}:3e0a51c2`);
  assert.notEqual(leaseHolder(), leaseHolder());
});

Deno.test("[lease] waitForLease tries once without a wait, and names the holder", async () => {
  const { take, calls } = _takeAfter(1);
  const waits: string[] = [];
  assert.deepEqual(await waitForLease(take, { waitMs: 0, onWait: (h) => waits.push(h) }), {
    heldBy: "other:1:aa",
  });
  assert.equal(calls.count, 1);
  assert.deepEqual(waits, []);
});

Deno.test("[lease] waitForLease polls with growing pauses until the lease is free", async () => {
  const { take, calls } = _takeAfter(3);
  const waits: string[] = [];
  const started = performance.now();
  const taken = await waitForLease(take, {
    waitMs: 10_000,
    minDelayMs: 10,
    onWait: (h) => waits.push(h),
  });
  assert.deepEqual(taken, { lease });
  assert.equal(calls.count, 4);
  assert.deepEqual(waits, ["other:1:aa"], "told once that it waits");
  // Pauses of 10, 20 and 40 ms, less up to a fifth of jitter.
  assert.ok(performance.now() - started >= 0.8 * 70 - 5);
});

Deno.test("[lease] waitForLease gives up at its bound with the holder", async () => {
  const { take } = _takeAfter(Infinity);
  const started = performance.now();
  const taken = await waitForLease(take, { waitMs: 120, minDelayMs: 10, maxDelayMs: 1000 });
  const elapsed = performance.now() - started;
  assert.deepEqual(taken, { heldBy: "other:1:aa" });
  assert.ok(elapsed >= 120 && elapsed < 400, `gave up after ${elapsed} ms`);
});

Deno.test("[lease] waitForLease passes on a store's error", async () => {
  await assert.rejects(
    waitForLease(() => Promise.reject(new Error("Cannot connect")), { waitMs: 1000 }),
    /Cannot connect/,
  );
});
