/**
 * A section of shared state that one writer at a time may update, anywhere:
 * the work runs while its writer holds the section's renewed lease.
 *
 * @module
 */

import type { Logger } from "../runtime/logger.ts";
import { type LeaseBackend, type LeaseTiming, takeRenewedLease } from "./_renewed_lease.ts";
import { leaseHolder, waitForLease } from "./lease.ts";

/** Runs `work` while holding the lease `name`; rejects as `work` does. */
export type Exclusive = (name: string, work: () => Promise<void>) => Promise<void>;

/**
 * Sections on `backend`. A writer waits for a section as long as twice its
 * TTL (what a holder that died keeps it for, with room to spare), polling
 * often: a section is held for moments.
 *
 * @param backend The store's lease operations.
 * @param timing TTL and renewal period of the sections' leases.
 * @param logger For a release that failed (the lease then expires with its TTL).
 * @returns The function that runs work in a section.
 * @throws {Error} (from the returned function) When the section stays held past the wait, or
 *   its lease is lost while the work runs.
 */
export function leaseSections(
  backend: LeaseBackend,
  timing: LeaseTiming,
  logger: Logger,
): Exclusive {
  const waitMs = 2 * (timing.ttlMs ?? 60_000);
  return async function exclusive(name, work) {
    const taken = await waitForLease(
      () => takeRenewedLease(backend, name, leaseHolder(), timing),
      { waitMs, minDelayMs: 50, maxDelayMs: 1000 },
    );
    if ("heldBy" in taken) {
      throw new Error(
        `Cannot update ${name}: ${taken.heldBy} held its lease for ${waitMs / 1000} s`,
      );
    }
    try {
      await work();
      taken.lease.lost.throwIfAborted();
    } finally {
      await taken.lease.release().catch((error) =>
        logger.warn("Cannot release a lease; it expires with its TTL", { name, error })
      );
    }
  };
}
