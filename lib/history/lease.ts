/**
 * Leases: who may write a batch day. A batch run takes the day's lease from
 * the history store before it writes anything of that day and gives it back
 * when the day is done; another run (on this machine or another) that finds
 * it held skips the day or waits for it. On Cassandra the lease is a row
 * taken and renewed with lightweight transactions and a TTL, so a holder
 * that dies lets go within the TTL; on the embedded store it is an OS lock
 * the kernel drops with its process.
 *
 * @module
 */

import { backoffDelay, delay } from "../runtime/async.ts";

/** A held lease. */
export interface Lease {
  /** What is leased: a day `YYYY-MM-DD`, or a section of shared aggregates. */
  readonly name: string;
  /** Who holds it (see {@linkcode leaseHolder}). */
  readonly holder: string;
  /**
   * Aborts, with a {@linkcode LeaseLostError} as its reason, when the lease is
   * lost: a renewal found it gone or held by another, or no renewal succeeded
   * in time. The holder must stop writing at once; never aborts after `release()`.
   */
  readonly lost: AbortSignal;
  /** Gives the lease back; a second call does nothing. */
  release(): Promise<void>;
}

/** What a try to take a lease gives: the lease, or who holds it. */
export type LeaseTry = { lease: Lease } | { heldBy: string };

/** Raised (as the `lost` signal's reason) when a held lease is lost. */
export class LeaseLostError extends Error {
  /**
   * @param leased What was leased (the lease's `name`).
   * @param why Why it counts as lost.
   */
  constructor(readonly leased: string, why: string) {
    super(`Lost the lease on ${leased}: ${why}; stopped writing`);
    this.name = "LeaseLostError";
  }
}

/**
 * A holder id unique to this run: host, process id and a random suffix, e.g.
 * `batch-7f9c:4121:3e0a51c2`.
 *
 * @param random Random bytes (default `crypto.getRandomValues`).
 * @returns The id.
 */
export function leaseHolder(
  random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes),
): string {
  const suffix = [...random(new Uint8Array(4))].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return `${Deno.hostname()}:${Deno.pid}:${suffix}`;
}

/** Options of {@linkcode waitForLease}. */
export interface LeaseWaitOptions {
  /** How long to keep trying after the first refusal; 0 tries once. */
  waitMs: number;
  /** The first pause between tries (default 250 ms); each pause doubles. */
  minDelayMs?: number;
  /** No pause is longer (default 5 s). */
  maxDelayMs?: number;
  /** Told once, at the first refusal, when the call is going to wait. */
  onWait?: (heldBy: string) => void;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
}

/**
 * Takes a lease, polling with backoff (and jitter) while another holds it, for
 * `waitMs` at most.
 *
 * @param take One try (e.g. `() => history.leaseDay(day, holder)`).
 * @param options The bound and the schedule.
 * @returns The lease, or who held it when the time ran out.
 * @throws What `take` throws (a store that does not answer).
 * @example
 * ```ts
 * const taken = await waitForLease(() => history.leaseDay(day, holder), { waitMs: 60_000 });
 * if ("heldBy" in taken) console.log(`Day ${day} is leased by ${taken.heldBy}`);
 * ```
 */
export async function waitForLease(
  take: () => Promise<LeaseTry>,
  options: LeaseWaitOptions,
): Promise<LeaseTry> {
  const { waitMs, minDelayMs = 250, maxDelayMs = 5000, onWait, now = () => performance.now() } =
    options;
  const end = now() + waitMs;
  for (let refusals = 0;; refusals++) {
    const taken = await take();
    const left = end - now();
    if ("lease" in taken || left <= 0) return taken;
    if (refusals === 0) onWait?.(taken.heldBy);
    await delay(Math.min(backoffDelay(refusals, { minDelayMs, maxDelayMs, jitter: 0.2 }), left));
  }
}
