/**
 * A lease that lives for a TTL at the store and is renewed while held: the
 * holder renews every `renewMs`, retries a failed renewal sooner, and gives
 * the lease up as lost (aborting its `lost` signal) when a renewal finds it
 * gone or taken, or when no renewal has succeeded for `ttlMs - renewMs` —
 * `renewMs` before the store can let another holder in, so the writes
 * still in flight have that long to end.
 *
 * @module
 */

import { type Lease, LeaseLostError, type LeaseTry } from "./lease.ts";

/** A store's lease operations, each one atomic step at the store. */
export interface LeaseBackend {
  /**
   * Takes `name` for `holder`, living `ttlMs`, unless someone holds it.
   * @returns null when taken; else who holds it.
   */
  take(name: string, holder: string, ttlMs: number): Promise<string | null>;
  /**
   * Extends `holder`'s lease to live `ttlMs` from now.
   * @returns false when the lease is gone or another holds it.
   */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives `holder`'s lease back; does nothing when another holds it. */
  release(name: string, holder: string): Promise<void>;
}

/** How a renewed lease is timed. */
export interface LeaseTiming {
  /** How long a taken or renewed lease lives at the store (default 60 s). */
  ttlMs?: number;
  /** How often it is renewed (default 20 s); at most a third of `ttlMs`. */
  renewMs?: number;
  /** Told of each renewal that failed with an error (it is retried). */
  onRenewError?: (error: unknown) => void;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
}

/**
 * Tries once to take `name` for `holder`; when taken, renews it until released.
 *
 * @param backend The store's operations.
 * @param name What to lease.
 * @param holder Who takes it.
 * @param timing TTL and renewal period.
 * @returns The held lease, or who holds it.
 * @throws {RangeError} When `renewMs` is more than a third of `ttlMs`.
 * @throws What `backend.take` throws.
 */
export async function takeRenewedLease(
  backend: LeaseBackend,
  name: string,
  holder: string,
  timing: LeaseTiming = {},
): Promise<LeaseTry> {
  const { ttlMs = 60_000, renewMs = 20_000, onRenewError, now = () => performance.now() } = timing;
  if (!(renewMs > 0 && renewMs * 3 <= ttlMs)) {
    throw new RangeError(
      `Cannot renew a lease every ${renewMs} ms with a TTL of ${ttlMs} ms: renew at most every third of the TTL`,
    );
  }
  const started = now();
  const heldBy = await backend.take(name, holder, ttlMs);
  if (heldBy !== null) return { heldBy };

  const controller = new AbortController();
  let done = false;
  let released = false;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  let lostTimer: ReturnType<typeof setTimeout> | undefined;
  let renewing: Promise<void> = Promise.resolve();

  function stop(): void {
    done = true;
    clearTimeout(renewTimer);
    clearTimeout(lostTimer);
  }

  function lose(why: string): void {
    if (done) return;
    stop();
    controller.abort(new LeaseLostError(name, why));
  }

  // The lease counts as lost `renewMs` before the store can expire it.
  function validFrom(renewedAt: number): void {
    clearTimeout(lostTimer);
    const silentMs = ttlMs - renewMs;
    lostTimer = setTimeout(
      () => lose(`no renewal succeeded for ${silentMs / 1000} s`),
      Math.max(0, renewedAt + silentMs - now()),
    );
  }

  function schedule(ms: number): void {
    renewTimer = setTimeout(() => {
      renewing = renew();
    }, ms);
  }

  async function renew(): Promise<void> {
    const at = now();
    try {
      const kept = await backend.renew(name, holder, ttlMs);
      if (done) return;
      if (!kept) return lose("it expired or another holder took it");
      validFrom(at);
      schedule(renewMs);
    } catch (error) {
      if (done) return;
      onRenewError?.(error);
      schedule(renewMs / 4);
    }
  }

  validFrom(started);
  schedule(renewMs);
  return {
    lease: {
      name,
      holder,
      lost: controller.signal,
      async release() {
        if (released) return;
        released = true;
        stop();
        await renewing;
        await backend.release(name, holder);
      },
    } satisfies Lease,
  };
}
