/**
 * Reads shared by every caller for a while: a read of the hourly or daily
 * roll-ups answers all the identical reads that arrive within its
 * time-to-live (and those in flight meanwhile) instead of summing the same
 * rows again. A failed read is not kept.
 *
 * @module
 */

import type { Grain } from "./grain.ts";

/** How long a read at each grain is shared, in milliseconds: minute reads never are. */
export const SHARED_READ_TTL_MS: Readonly<Record<Grain, number>> = {
  minute: 0,
  hour: 2_000,
  day: 10_000,
};

/** Runs `read` for `key` unless a read of `key` younger than `ttlMs` exists. */
export type SharedRead = <T>(key: string, ttlMs: number, read: () => Promise<T>) => Promise<T>;

/**
 * Creates a store of shared reads.
 *
 * @param now The clock, epoch milliseconds.
 * @returns The function that shares reads by key.
 */
export function createSharedReads(now: () => number): SharedRead {
  const entries = new Map<string, { at: number; ttlMs: number; value: Promise<unknown> }>();
  return function shared<T>(key: string, ttlMs: number, read: () => Promise<T>): Promise<T> {
    if (ttlMs <= 0) return read();
    const at = now();
    const entry = entries.get(key);
    if (entry && at - entry.at < ttlMs) return entry.value as Promise<T>;
    if (entries.size > 256) {
      for (const [k, e] of entries) if (at - e.at >= e.ttlMs) entries.delete(k);
    }
    const value = read();
    entries.set(key, { at, ttlMs, value });
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
    return value;
  };
}
