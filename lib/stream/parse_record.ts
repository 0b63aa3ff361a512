/**
 * Turns records from the `pins` topic back into cleaned pins, or into dead
 * letters saying why they are poison (not JSON, not a pin event, missing
 * what the edge stamps, or refused by the database), with their position.
 *
 * @module
 */

import type { ConsumedBatch } from "../bus/bus.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import type { DeadLetter } from "../pin/dead_letter.ts";
import { type ParsedRecord, parsePinRecord } from "../pin/parse_pin_record.ts";
import type { PositionedPin, RecordsRefusedError } from "../realtime/realtime_store.ts";

export type { ParsedRecord } from "../pin/parse_pin_record.ts";

/**
 * Parses and cleans one record value.
 *
 * @param value The record's value, JSON text.
 * @returns The cleaned pin, or the reason it cannot be used.
 */
export function parseRecord(value: string): ParsedRecord {
  return parsePinRecord(value);
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
    const parsed = parsePinRecord(record.value, nulled);
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
