import assert from "node:assert/strict";
import { type LeaseBackend, takeRenewedLease } from "../../lib/history/_renewed_lease.ts";
import { type Lease, LeaseLostError } from "../../lib/history/lease.ts";

/** A backend whose one lease row is a variable; each renewal is told to `onRenew`. */
function _backend(renewal: () => Promise<boolean> | boolean = () => true) {
  let row: string | null = null;
  const calls = { renew: 0, release: 0 };
  let renewed: () => void = () => {};
  const backend: LeaseBackend = {
    take(_name, holder) {
      if (row !== null) return Promise.resolve(row);
      row = holder;
      return Promise.resolve(null);
    },
    async renew(_name, holder) {
      calls.renew++;
      renewed();
      return row === holder && await renewal();
    },
    release(_name, holder) {
      calls.release++;
      if (row === holder) row = null;
      return Promise.resolve();
    },
  };
  return {
    backend,
    calls,
    /** Resolves at the `n`-th renewal from now. */
    renewals(n: number): Promise<void> {
      let left = n;
      return new Promise((resolve) => {
        renewed = () => {
          if (--left === 0) resolve();
        };
      });
    },
    steal: (holder: string) => row = holder,
  };
}

function _lostReason(lease: Lease): Promise<unknown> {
  return new Promise((resolve) =>
    lease.lost.addEventListener("abort", () => resolve(lease.lost.reason), { once: true })
  );
}

function _held(taken: Awaited<ReturnType<typeof takeRenewedLease>>): Lease {
  assert.ok("lease" in taken, "the lease was refused");
  return taken.lease;
}

const FAST = { ttlMs: 300, renewMs: 60 };

Deno.test("[lease] a held lease refuses another holder and is free again once released", async () => {
  const { backend, calls } = _backend();
  const first = _held(await takeRenewedLease(backend, "2026-01-02", "a", FAST));
  assert.deepEqual(await takeRenewedLease(backend, "2026-01-02", "b", FAST), { heldBy: "a" });
  await first.release();
  await first.release();
  assert.equal(calls.release, 1, "a second release does nothing");
  assert.equal(first.lost.aborted, false);
  const second = _held(await takeRenewedLease(backend, "2026-01-02", "b", FAST));
  assert.equal(second.holder, "b");
  await second.release();
});

Deno.test("[lease] the holder renews every renewMs while it holds the lease, and stops at release", async () => {
  const fake = _backend();
  const lease = _held(await takeRenewedLease(fake.backend, "d", "a", FAST));
  const started = performance.now();
  await fake.renewals(3);
  assert.ok(performance.now() - started >= 3 * FAST.renewMs - 10, "renewed too early");
  assert.equal(lease.lost.aborted, false);
  await lease.release();
  const after = fake.calls.renew;
  await new Promise((resolve) => setTimeout(resolve, 3 * FAST.renewMs));
  assert.equal(fake.calls.renew, after, "a released lease is not renewed");
});

Deno.test("[lease] a renewal that finds another holder aborts lost with a LeaseLostError", async () => {
  const fake = _backend();
  const lease = _held(await takeRenewedLease(fake.backend, "2026-01-02", "a", FAST));
  const reason = _lostReason(lease);
  fake.steal("b");
  const error = await reason;
  assert.ok(error instanceof LeaseLostError);
  assert.equal(error.leased, "2026-01-02");
  assert.match(
    error.message,
    /^Lost the lease on 2026-01-02: it expired or another holder took it/,
  );
  await lease.release();
});

Deno.test("[lease] failing renewals are retried sooner, then the lease is lost renewMs before its TTL", async () => {
  const errors: unknown[] = [];
  const fake = _backend(() => {
    throw new Error("Cassandra timed out");
  });
  const started = performance.now();
  const lease = _held(
    await takeRenewedLease(fake.backend, "d", "a", {
      ...FAST,
      onRenewError: (error) => errors.push(error),
    }),
  );
  const error = await _lostReason(lease);
  const elapsed = performance.now() - started;
  assert.ok(error instanceof LeaseLostError);
  assert.match(error.message, /no renewal succeeded for 0\.24 s/);
  assert.ok(elapsed >= FAST.ttlMs - FAST.renewMs - 10, `lost after ${elapsed} ms`);
  assert.ok(elapsed < FAST.ttlMs, `lost after ${elapsed} ms, past the TTL`);
  assert.ok(fake.calls.renew >= 3, `${fake.calls.renew} renewals: failures are retried sooner`);
  assert.ok(errors.length >= 3 && errors.every((e) => /timed out/.test(String(e))));
  await lease.release();
});

Deno.test("[lease] a renewal period over a third of the TTL is refused", async () => {
  await assert.rejects(
    takeRenewedLease(_backend().backend, "d", "a", { ttlMs: 60_000, renewMs: 30_000 }),
    RangeError,
  );
});
