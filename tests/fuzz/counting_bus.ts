/**
 * A bus adapter that counts what is produced through it, per topic, and
 * keeps the values of chosen topics, so the fuzzer knows a topic's end and
 * who wrote each dead letter without another consumer.
 *
 * @module
 */

import type { Bus, BusRecord } from "../../lib/bus/bus.ts";

/** A bus that counts what is produced through it. */
export interface CountingBus extends Bus {
  /** Records produced to `topic` through this adapter. */
  produced(topic: string): number;
  /** Values produced to `topic`, when it is kept. */
  values(topic: string): string[];
}

/**
 * Wraps a bus; everything but `produce` is passed through, and `close` is a no-op
 * (the wrapped bus belongs to its owner).
 *
 * @param bus The bus.
 * @param keep Topics whose values are kept.
 * @returns The counting bus.
 */
export function countingBus(bus: Bus, keep: readonly string[] = []): CountingBus {
  const counts = new Map<string, number>();
  const kept = new Map<string, string[]>(keep.map((topic) => [topic, []]));
  return {
    kind: bus.kind,
    address: bus.address,
    ensureTopics: (topics) => bus.ensureTopics(topics),
    async produce(topic: string, records: BusRecord[]) {
      await bus.produce(topic, records);
      counts.set(topic, (counts.get(topic) ?? 0) + records.length);
      kept.get(topic)?.push(...records.map((record) => record.value));
    },
    consume: (options, handlers) => bus.consume(options, handlers),
    offsets: (topic) => bus.offsets(topic),
    read: (topic, ranges, onRecords) => bus.read(topic, ranges, onRecords),
    groupPositions: (groupId, topic) => bus.groupPositions(groupId, topic),
    health: () => bus.health(),
    close: () => Promise.resolve(),
    produced: (topic) => counts.get(topic) ?? 0,
    values: (topic) => kept.get(topic) ?? [],
  };
}
