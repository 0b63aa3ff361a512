/**
 * Kafka's default key partitioner: murmur2 of the key's UTF-8 bytes, the
 * Java client's variant, so a key lands in the same partition whether the
 * bus is Kafka or embedded; unkeyed records share one sticky partition.
 *
 * @module
 */

import type { BusRecord } from "../bus.ts";

const encoder = new TextEncoder();
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Hashes bytes with murmur2 as Kafka's `Utils.murmur2` does.
 *
 * @param data The bytes to hash.
 * @returns The hash as a signed 32-bit integer.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    // falls through
    case 2:
      h ^= data[whole + 1]! << 8;
    // falls through
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition of a keyed record, as Kafka's default partitioner picks it.
 *
 * @param key The record's key.
 * @param partitions How many partitions the topic has.
 * @returns A partition in `[0, partitions)`.
 */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}

/**
 * Groups one produce call's records by partition: keyed records by
 * {@linkcode partitionForKey}, unkeyed ones all to `sticky`.
 *
 * @param topic The topic, for the message.
 * @param records The records, in order.
 * @param partitions How many partitions the topic has.
 * @param sticky The partition of the unkeyed records.
 * @returns The records of each partition, in order.
 * @throws {TypeError} When a key is neither a string nor null, or a value not a string.
 */
export function groupByPartition(
  topic: string,
  records: readonly BusRecord[],
  partitions: number,
  sticky: number,
): Map<number, BusRecord[]> {
  const byPartition = new Map<number, BusRecord[]>();
  for (const record of records) {
    if (
      typeof record.value !== "string" ||
      (record.key !== null && typeof record.key !== "string")
    ) {
      throw new TypeError(
        `Cannot produce to topic '${topic}': key must be a string or null and value a string`,
      );
    }
    const partition = record.key === null ? sticky : partitionForKey(record.key, partitions);
    const list = byPartition.get(partition);
    if (list) list.push(record);
    else byPartition.set(partition, [record]);
  }
  return byPartition;
}
