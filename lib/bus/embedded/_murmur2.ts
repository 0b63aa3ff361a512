/**
 * Kafka's default key partitioner for the embedded bus: murmur2 of the key
 * (the Java client's variant); unkeyed records share one sticky partition.
 *
 * @module
 */

import type { BusRecord } from "../bus.ts";
import { murmur2 } from "../murmur2.ts";

/**
 * The partition of a keyed record, as Kafka's default partitioner picks it.
 *
 * @param key The record's key.
 * @param partitions How many partitions the topic has.
 * @returns A partition in `[0, partitions)`.
 */
export function partitionForKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
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
