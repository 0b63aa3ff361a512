/**
 * `Bus.read` on the embedded log: each partition's range read straight from
 * its segments, with no consumer group (a group that joins a topic holds its
 * retention until it commits).
 *
 * @module
 */

import type { ConsumedRecord, OffsetRange } from "../bus.ts";
import type { PartitionLog } from "./_partition_log.ts";

/** Records handed to `onRecords` at once. */
const CHUNK_RECORDS = 1000;

/**
 * Reads one partition's range, clamped to what the log holds.
 *
 * @param log The partition's log.
 * @param range The offsets to read.
 * @param onRecords Called with the records in offset order; the next chunk waits for it.
 */
export async function readLogRange(
  log: PartitionLog,
  range: OffsetRange,
  onRecords: (records: ConsumedRecord[]) => void | Promise<void>,
): Promise<void> {
  const to = Math.min(range.to, log.nextOffset());
  const from = Math.max(range.from, log.startOffset());
  if (from >= to) return;
  const reader = await log.openReader(from);
  try {
    while (reader.offset < to) {
      const records = await reader.next(Math.min(CHUNK_RECORDS, to - reader.offset));
      if (records.length === 0) return;
      await onRecords(records);
    }
  } finally {
    reader.close();
  }
}
