/**
 * Reads a bounded range of a topic through the bus port: a throwaway
 * consumer group (it never commits) starts each partition at the range's
 * first offset and stops once every partition reached the range's end, so a
 * tool can read a topic up to where it ended when it started. Records
 * produced meanwhile are left out.
 *
 * @module
 */

import type { Bus, ConsumedRecord, PartitionOffsets } from "../bus/bus.ts";

/** Offsets `from` (included) to `to` (excluded) of one partition. */
export interface OffsetRange {
  from: number;
  to: number;
}

/** Options of {@linkcode readRanges}. */
export interface ReadRangesOptions {
  /** Prefix of the throwaway group's name; a random suffix is added. */
  groupPrefix?: string;
  /** Fails when no record arrives for this long while some are missing (default 30 s). */
  idleTimeoutMs?: number;
  /** Records per call of `onRecords` (default 1000). */
  maxBatchRecords?: number;
}

/**
 * The whole of every partition as it is now, from the earliest record held
 * to the end.
 *
 * @param offsets The topic's offsets, from `Bus.offsets`.
 * @returns One range per partition.
 */
export function wholeTopic(offsets: PartitionOffsets[]): Map<number, OffsetRange> {
  return new Map(
    offsets.map(({ partition, earliest, end }) => [partition, { from: earliest, to: end }]),
  );
}

/**
 * One record of one partition; the other partitions get empty ranges at their end.
 *
 * @param offsets The topic's offsets, from `Bus.offsets`.
 * @param partition The record's partition.
 * @param offset The record's offset.
 * @returns One range per partition.
 */
export function oneRecord(
  offsets: PartitionOffsets[],
  partition: number,
  offset: number,
): Map<number, OffsetRange> {
  return new Map(
    offsets.map(({ partition: p, end }) => [
      p,
      p === partition ? { from: offset, to: offset + 1 } : { from: end, to: end },
    ]),
  );
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
 * Reads the given range of each partition and hands the records to
 * `onRecords`, in offset order per partition; the next records wait for it.
 * Give every partition a range: one left out is read from its committed or
 * earliest offset and its records are dropped.
 *
 * @param bus The bus.
 * @param topic The topic.
 * @param ranges Per partition, the offsets to read (see {@linkcode wholeTopic}, {@linkcode oneRecord}).
 * @param onRecords Called with each partition's records as they arrive.
 * @param options The group's name prefix, the idle bound and the batch size.
 * @throws {Error} When the range stops arriving for `idleTimeoutMs`, naming
 *   where each partition stands, or what `onRecords` threw.
 * @example
 * ```ts
 * const ranges = wholeTopic(await bus.offsets("pins.dlq"));
 * await readRanges(bus, "pins.dlq", ranges, (records) => { count += records.length; });
 * ```
 */
export async function readRanges(
  bus: Bus,
  topic: string,
  ranges: Map<number, OffsetRange>,
  onRecords: (records: ConsumedRecord[]) => void | Promise<void>,
  options: ReadRangesOptions = {},
): Promise<void> {
  const { groupPrefix = "read", idleTimeoutMs = 30_000, maxBatchRecords = 1000 } = options;
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

  const consumer = await bus.consume(
    { groupId: `${groupPrefix}-${crypto.randomUUID()}`, topic, maxBatchRecords },
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
