/**
 * `dlq list` and `dlq show`: read the dead-letter topic through the bus and
 * select records by the filters, or one record by its id.
 *
 * @module
 */

import type { Bus, OffsetRange, PartitionOffsets } from "../bus/bus.ts";
import { type DlqEntry, type DlqPosition, formatDlqId, readDlqEntry } from "./dlq_entry.ts";
import { byReceived, type DlqFilter, keepNewest, matchesFilter } from "./dlq_filter.ts";

/** One line of `dlq list`: a record without its raw text. */
export interface DlqRow extends Omit<DlqEntry, "raw" | "problems" | "value"> {
  /** The first problem as `path: message`, or what is wrong with a malformed record. */
  problem: string;
  /** How many problems the record lists. */
  problemCount: number;
}

/** What `dlq list` found. */
export interface DlqListing {
  /** The newest `limit` records that pass the filters, oldest first. */
  rows: DlqRow[];
  /** Records that pass the filters. */
  matched: number;
  /** Records read. */
  scanned: number;
}

/**
 * The first problem of an entry, as one line.
 *
 * @param entry A dead-letter record.
 * @returns `path: message`, the malformation, or an empty string.
 */
export function firstProblem(entry: Pick<DlqEntry, "problems" | "malformed">): string {
  const first = entry.problems[0];
  if (first) return `${first.path}: ${first.message}`;
  return entry.malformed === null ? "" : `Not a dead-letter record: ${entry.malformed}`;
}

function _wholeTopic(offsets: PartitionOffsets[]): Map<number, OffsetRange> {
  return new Map(
    offsets.map(({ partition, earliest, end }) => [partition, { from: earliest, to: end }]),
  );
}

function _row(entry: DlqEntry): DlqRow {
  const { raw: _raw, problems, value: _value, ...rest } = entry;
  return { ...rest, problem: firstProblem(entry), problemCount: problems.length };
}

/**
 * Calls `onEntry` for every record of the dead-letter topic as it is now
 * that passes the filters, in offset order per partition.
 *
 * @param bus The bus.
 * @param topic The dead-letter topic.
 * @param filter The filters.
 * @param onEntry Called with each record that passes; the next waits for it.
 * @returns How many records were read.
 */
export async function scanDeadLetters(
  bus: Bus,
  topic: string,
  filter: DlqFilter,
  onEntry: (entry: DlqEntry) => void | Promise<void>,
): Promise<number> {
  let scanned = 0;
  await bus.read(topic, _wholeTopic(await bus.offsets(topic)), async (records) => {
    for (const record of records) {
      scanned++;
      const entry = readDlqEntry(record);
      if (matchesFilter(entry, filter)) await onEntry(entry);
    }
  });
  return scanned;
}

/**
 * Lists the newest `limit` records that pass the filters (memory bounded by `limit`).
 *
 * @param bus The bus.
 * @param topic The dead-letter topic.
 * @param filter The filters.
 * @param limit How many to list; 0 lists all.
 * @returns The rows, oldest first, and the counts.
 */
export async function listDeadLetters(
  bus: Bus,
  topic: string,
  filter: DlqFilter,
  limit: number,
): Promise<DlqListing> {
  const kept = keepNewest<DlqRow>(limit, byReceived);
  const scanned = await scanDeadLetters(bus, topic, filter, (entry) => kept.offer(_row(entry)));
  return { rows: kept.items(), matched: kept.offered(), scanned };
}

function _notFound(topic: string, id: string, held: string): Error {
  return new Error(`No record ${id} on topic '${topic}': ${held}`);
}

/**
 * Reads one record by its position.
 *
 * @param bus The bus.
 * @param topic The dead-letter topic.
 * @param position The record's partition and offset.
 * @returns The record.
 * @throws {Error} When the partition or the offset is not on the topic,
 *   saying which offsets the partition holds.
 */
export async function showDeadLetter(
  bus: Bus,
  topic: string,
  position: DlqPosition,
): Promise<DlqEntry> {
  const id = formatDlqId(position);
  const offsets = await bus.offsets(topic);
  const partition = offsets.find((p) => p.partition === position.partition);
  if (!partition) {
    throw _notFound(topic, id, `it has partitions 0 to ${offsets.length - 1}`);
  }
  const { earliest, end } = partition;
  if (position.offset < earliest || position.offset >= end) {
    const held = end > earliest
      ? `partition ${position.partition} holds offsets ${earliest} to ${end - 1}`
      : `partition ${position.partition} holds no records`;
    throw _notFound(topic, id, held);
  }
  let found: DlqEntry | null = null;
  const range = { from: position.offset, to: position.offset + 1 };
  await bus.read(topic, new Map([[position.partition, range]]), (records) => {
    found = readDlqEntry(records[0]!);
  });
  if (found === null) {
    throw _notFound(topic, id, "it was removed while being read (retention)");
  }
  return found;
}
