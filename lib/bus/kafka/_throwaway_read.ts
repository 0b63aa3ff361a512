/**
 * `Bus.read` on Kafka: a throwaway consumer group (it never commits, so the
 * broker drops it once it is empty) starts each partition at its range's
 * first offset and stops once every partition reached its range's end.
 * Records produced meanwhile, past the ends, are left out.
 *
 * @module
 */

import type {
  BusConsumer,
  ConsumedRecord,
  ConsumeOptions,
  ConsumerHandlers,
  OffsetRange,
} from "../bus.ts";

/** What {@linkcode readWithThrowawayGroup} needs of the adapter. */
export interface ThrowawayReadDeps {
  consume(options: ConsumeOptions, handlers: ConsumerHandlers): Promise<BusConsumer>;
  /** Prefix of the group's name; a random suffix is added. */
  groupPrefix: string;
  /** Fails when no record arrives for this long while some are missing (default 30 s). */
  idleTimeoutMs?: number;
}

function _stallMessage(
  topic: string,
  next: Map<number, number>,
  ranges: Map<number, OffsetRange>,
): string {
  const behind = [...next].filter(([partition, offset]) => offset < ranges.get(partition)!.to)
    .map(([partition, offset]) =>
      `partition ${partition} at offset ${offset} of ${ranges.get(partition)!.to}`
    );
  return `Reading topic '${topic}' stalled: no record arrived for a while with ${
    behind.join(", ")
  } still to read`;
}

/**
 * Reads the ranges (already clamped to what each partition holds) with a
 * throwaway group; partitions without a range start at their end.
 *
 * @param deps The adapter's consume, the group prefix and the idle bound.
 * @param topic The topic.
 * @param ranges Per partition, the offsets to read.
 * @param onRecords Called with each partition's records, in offset order.
 * @throws {Error} What `onRecords` throws, or a stall naming where each partition stands.
 */
export async function readWithThrowawayGroup(
  deps: ThrowawayReadDeps,
  topic: string,
  ranges: Map<number, OffsetRange>,
  onRecords: (records: ConsumedRecord[]) => void | Promise<void>,
): Promise<void> {
  const { idleTimeoutMs = 30_000 } = deps;
  const next = new Map<number, number>();
  for (const [partition, range] of ranges) {
    if (range.from < range.to) next.set(partition, range.from);
  }
  if (next.size === 0) return;
  const done = Promise.withResolvers<void>();
  let settled = false;
  let pending = next.size;
  let lastProgress = Date.now();
  let handling = 0;

  function finish(error?: unknown): void {
    if (settled) return;
    settled = true;
    if (error === undefined) done.resolve();
    else done.reject(error);
  }

  async function eachBatch(partition: number, records: ConsumedRecord[]): Promise<void> {
    const range = ranges.get(partition);
    const at = next.get(partition);
    if (settled || !range || at === undefined || at >= range.to) return;
    const wanted = records.filter((record) => record.offset >= at && record.offset < range.to);
    if (wanted.length === 0) return;
    handling++;
    try {
      await onRecords(wanted);
    } catch (error) {
      return finish(error);
    } finally {
      handling--;
      lastProgress = Date.now();
    }
    const after = wanted.at(-1)!.offset + 1;
    next.set(partition, after);
    if (after >= range.to && --pending === 0) finish();
  }

  const consumer = await deps.consume(
    { groupId: `${deps.groupPrefix}-${crypto.randomUUID()}`, topic, maxBatchRecords: 1000 },
    {
      onAssign: (partitions) => {
        const start = new Map<number, number>();
        for (const partition of partitions) {
          const offset = next.get(partition) ?? ranges.get(partition)?.to;
          if (offset !== undefined) start.set(partition, offset);
        }
        return Promise.resolve(start);
      },
      eachBatch: (batch) => eachBatch(batch.partition, batch.records),
    },
  );
  const watchdog = setInterval(() => {
    if (handling === 0 && Date.now() - lastProgress > idleTimeoutMs) {
      finish(new Error(_stallMessage(topic, next, ranges)));
    }
  }, Math.min(1000, idleTimeoutMs));
  try {
    await done.promise;
  } finally {
    clearInterval(watchdog);
    await consumer.stop();
  }
}
