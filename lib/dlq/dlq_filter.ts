/**
 * Which dead-letter records a `list` or a `replay` takes: by reason, by
 * source prefix, by time received, and the newest N of those.
 *
 * @module
 */

import type { DlqEntry } from "./dlq_entry.ts";

/** The filters of `list` and `replay`; each one left out takes everything. */
export interface DlqFilter {
  /** The reason, exactly (e.g. `invalid`, `not JSON`). */
  reason?: string;
  /** A prefix of the source (e.g. `edge:`, `stream:pins/2`). */
  source?: string;
  /** Received at or after, in epoch milliseconds. */
  sinceMs?: number;
  /** Received before, in epoch milliseconds. */
  untilMs?: number;
}

/**
 * Whether an entry passes the filters.
 *
 * @param entry A dead-letter record.
 * @param filter The filters.
 * @returns True when every filter given accepts it.
 */
export function matchesFilter(entry: DlqEntry, filter: DlqFilter): boolean {
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  if (filter.source !== undefined && !(entry.source?.startsWith(filter.source) ?? false)) {
    return false;
  }
  if (filter.sinceMs !== undefined && !(entry.receivedMs >= filter.sinceMs)) return false;
  if (filter.untilMs !== undefined && !(entry.receivedMs < filter.untilMs)) return false;
  return true;
}

/** Keeps the last `limit` items of an order, in memory bounded by `limit`. */
export interface NewestKept<T> {
  offer(item: T): void;
  /** How many were offered. */
  offered(): number;
  /** The items kept, oldest first. */
  items(): T[];
}

/**
 * Keeps the last `limit` items, in `order`, of what it is offered in any order.
 *
 * @param limit How many to keep; 0 keeps all.
 * @param order The order of the result, oldest first.
 * @returns The keeper.
 */
export function keepNewest<T>(limit: number, order: (a: T, b: T) => number): NewestKept<T> {
  let kept: T[] = [];
  let offered = 0;
  return {
    offer(item) {
      offered++;
      kept.push(item);
      // Sort and cut only when twice the limit is held: amortised, memory stays bounded.
      if (limit > 0 && kept.length >= 2 * limit) kept = kept.sort(order).slice(-limit);
    },
    offered: () => offered,
    items: () => {
      const sorted = kept.sort(order);
      return limit > 0 ? sorted.slice(-limit) : sorted;
    },
  };
}

/**
 * The order of entries: by time received, then by partition and offset.
 *
 * @param a An entry.
 * @param b Another.
 * @returns Negative when `a` comes first.
 */
export function byReceived(
  a: Pick<DlqEntry, "receivedMs" | "partition" | "offset">,
  b: Pick<DlqEntry, "receivedMs" | "partition" | "offset">,
): number {
  return a.receivedMs - b.receivedMs || a.partition - b.partition || a.offset - b.offset;
}
