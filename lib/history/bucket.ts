/**
 * The bucket of a cleaned row in Cassandra's `pins` table: FNV-1a (32-bit)
 * of the `event_id`'s UTF-8 bytes, modulo the bucket count. Stable across
 * processes and versions, unlike engine hash functions.
 *
 * @module
 */

import { PIN_BUCKETS } from "./_cassandra_schema.ts";

const encoder = new TextEncoder();

/**
 * FNV-1a, 32 bits.
 *
 * @param text The input, hashed as UTF-8.
 * @returns The hash as an unsigned 32-bit integer.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The bucket of an event.
 *
 * @param eventId The event's id.
 * @param buckets How many buckets (16 in the schema).
 * @returns An integer in [0, buckets).
 */
export function pinBucket(eventId: string, buckets: number = PIN_BUCKETS): number {
  return fnv1a32(eventId) % buckets;
}
