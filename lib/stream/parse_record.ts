/**
 * Turns records from the `pins` topic back into cleaned pins, or into dead
 * letters saying why they are poison (not JSON, not a pin event, missing
 * what the edge stamps, or refused by the database), with their position.
 *
 * @module
 */

import type { ConsumedBatch } from "../bus/bus.ts";
import { type CleanPin, cleanPin } from "../pin/clean_pin.ts";
import { cleanPinWithOutcomes, type NulledCounts } from "../pin/clean_outcomes.ts";
import type { DeadLetter } from "../pin/dead_letter.ts";
import { isEventTime, type Problem, validatePinEvent } from "../pin/pin_event.ts";
import type { PositionedPin, RecordsRefusedError } from "../realtime/realtime_store.ts";

/** The outcome of parsing one record. */
export type ParsedRecord =
  | { ok: true; pin: CleanPin }
  | { ok: false; reason: string; problems: Problem[] };

function _stampProblems(value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  if (typeof value.event_id !== "string" || value.event_id === "") {
    problems.push({ path: "event_id", message: "Missing the event_id the edge assigns" });
  }
  if (!isEventTime(value.received_at)) {
    problems.push({
      path: "received_at",
      message: "Missing or invalid received_at the edge stamps (ISO-8601 with a zone, " +
        "in the years 0001 to 9999 UTC)",
    });
  }
  return problems;
}

/**
 * Parses and cleans one record value.
 *
 * @param value The record's value, JSON text.
 * @returns The cleaned pin, or the reason it cannot be used.
 */
export function parseRecord(value: string): ParsedRecord {
  return _parse(value, undefined);
}

// Parses and cleans one record, counting what the cleaning makes null in `nulled` when given.
function _parse(value: string, nulled: NulledCounts | undefined): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (error) {
    return {
      ok: false,
      reason: "not JSON",
      problems: [{ path: "$", message: (error as Error).message }],
    };
  }
  const result = validatePinEvent(json);
  if (!result.ok) return { ok: false, reason: "not a pin event", problems: result.problems };
  const problems = _stampProblems(result.value);
  if (problems.length > 0) return { ok: false, reason: "not stamped by the edge", problems };
  const pin = result.value as Parameters<typeof cleanPin>[0];
  return { ok: true, pin: nulled ? cleanPinWithOutcomes(pin, nulled) : cleanPin(pin) };
}

/** A batch's records, split into usable pins and dead letters. */
export interface SplitBatch {
  pins: PositionedPin[];
  letters: DeadLetter[];
}

function _source(batch: ConsumedBatch, offset: number): string {
  return `stream:${batch.topic}/${batch.partition}@${offset}`;
}

/**
 * Parses every record of a batch.
 *
 * @param batch One partition's records.
 * @param nulled Where to count the values the cleaning makes null, when given.
 * @returns The cleaned pins with their offsets, and a letter for each poison record.
 */
export function splitBatch(batch: ConsumedBatch, nulled?: NulledCounts): SplitBatch {
  const pins: PositionedPin[] = [];
  const letters: DeadLetter[] = [];
  for (const record of batch.records) {
    const parsed = _parse(record.value, nulled);
    if (parsed.ok) pins.push({ offset: record.offset, pin: parsed.pin });
    else {
      letters.push({
        source: _source(batch, record.offset),
        reason: parsed.reason,
        problems: parsed.problems,
        raw: record.value,
      });
    }
  }
  return { pins, letters };
}

/**
 * The dead letter of a record the database refused.
 *
 * @param batch The batch the record came in.
 * @param offset The record's offset.
 * @param error The database's refusal.
 * @returns The letter, with the record's raw text and position.
 */
export function refusedLetter(
  batch: ConsumedBatch,
  offset: number,
  error: RecordsRefusedError,
): DeadLetter {
  return {
    source: _source(batch, offset),
    reason: "refused by the store",
    problems: [{ path: "$", message: error.message }],
    raw: batch.records.find((record) => record.offset === offset)?.value ?? "",
  };
}
