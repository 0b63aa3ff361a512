/**
 * A record of the dead-letter topic as the tools see it: its id
 * (`<partition>@<offset>`), and the dead-letter record's fields read
 * defensively. Anyone can produce to the topic, so a value that is not JSON,
 * or a record missing fields, is described rather than trusted.
 *
 * @module
 */

import type { ConsumedRecord } from "../bus/bus.ts";
import type { DeadLetterRecord } from "../pin/dead_letter.ts";
import type { Problem } from "../pin/pin_event.ts";

/** A dead-letter record read back, with its position. */
export interface DlqEntry {
  /** `<partition>@<offset>` on the dead-letter topic. */
  id: string;
  partition: number;
  offset: number;
  /** The record's `received_at`, or when the bus stored it when that is missing or invalid. */
  received_at: string;
  /** `received_at` in epoch milliseconds. */
  receivedMs: number;
  /** Null when the record has none. */
  source: string | null;
  reason: string | null;
  problems: Problem[];
  /** The text received; null when the record has none. */
  raw: string | null;
  /** Position in the batch request it came in, when it came in one. */
  index: number | null;
  truncated: boolean;
  /** UTF-8 bytes of `raw` (of the whole value when there is no raw). */
  size: number;
  /** Why the value is not a well-formed dead-letter record; null when it is one. */
  malformed: string | null;
  /** The record's value as on the topic. */
  value: string;
}

/** A dead-letter record's position. */
export interface DlqPosition {
  partition: number;
  offset: number;
}

const ID = /^(0|[1-9]\d{0,15})@(0|[1-9]\d{0,15})$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const encoder = new TextEncoder();

/**
 * The id of a position: `<partition>@<offset>`.
 *
 * @param position The partition and offset.
 * @returns E.g. `0@41`.
 */
export function formatDlqId(position: DlqPosition): string {
  return `${position.partition}@${position.offset}`;
}

/**
 * Reads an id back.
 *
 * @param text E.g. `0@41`.
 * @returns The position, or null when the text is not an id.
 */
export function parseDlqId(text: string): DlqPosition | null {
  const match = ID.exec(text);
  if (!match) return null;
  const partition = Number(match[1]);
  const offset = Number(match[2]);
  return Number.isSafeInteger(partition) && Number.isSafeInteger(offset)
    ? { partition, offset }
    : null;
}

function _problem(item: unknown): Problem {
  if (typeof item === "object" && item !== null) {
    const { path, message } = item as Record<string, unknown>;
    if (typeof path === "string" && typeof message === "string") return { path, message };
  }
  return { path: "?", message: `Not a problem record: ${JSON.stringify(item) ?? String(item)}` };
}

function _isoOrEmpty(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

function _fields(value: string): { fields: Record<string, unknown>; malformed: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return { fields: {}, malformed: `the value is not JSON: ${(error as Error).message}` };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { fields: {}, malformed: "the value is not a JSON object" };
  }
  const fields = parsed as Partial<Record<keyof DeadLetterRecord, unknown>>;
  const wrong: string[] = ["source", "reason", "raw", "received_at"]
    .filter((name) => typeof fields[name as keyof DeadLetterRecord] !== "string");
  if (!Array.isArray(fields.problems)) wrong.push("problems");
  if (typeof fields.truncated !== "boolean") wrong.push("truncated");
  if (fields.index !== undefined && !Number.isSafeInteger(fields.index)) wrong.push("index");
  const malformed = wrong.length === 0 ? null : `missing or mistyped field(s): ${wrong.join(", ")}`;
  return { fields, malformed };
}

/**
 * Reads a record of the dead-letter topic; never throws, whatever its value.
 *
 * @param record The record as consumed.
 * @returns The entry; `malformed` says what is wrong with a value that is
 *   not a dead-letter record.
 */
export function readDlqEntry(record: ConsumedRecord): DlqEntry {
  const { fields, malformed } = _fields(record.value);
  const text = (name: string) => typeof fields[name] === "string" ? fields[name] as string : null;
  const stamp = text("received_at");
  const stamped = stamp !== null && ISO_INSTANT.test(stamp) ? Date.parse(stamp) : NaN;
  const receivedMs = Number.isNaN(stamped)
    ? (Number.isFinite(record.timestamp) ? record.timestamp : 0)
    : stamped;
  const raw = text("raw");
  return {
    id: formatDlqId(record),
    partition: record.partition,
    offset: record.offset,
    received_at: Number.isNaN(stamped) ? _isoOrEmpty(record.timestamp) : stamp!,
    receivedMs,
    source: text("source"),
    reason: text("reason"),
    problems: Array.isArray(fields.problems) ? fields.problems.map(_problem) : [],
    raw,
    index: Number.isSafeInteger(fields.index) ? fields.index as number : null,
    truncated: fields.truncated === true,
    size: encoder.encode(raw ?? record.value).byteLength,
    malformed,
    value: record.value,
  };
}
