/**
 * Turns a record from the `pins` topic back into a cleaned pin, or says why
 * it is poison (not JSON, not a pin event, or missing what the edge stamps).
 *
 * @module
 */

import { type CleanPin, cleanPin } from "../pin/clean_pin.ts";
import { cleanPinWithOutcomes, type NulledCounts } from "../pin/clean_outcomes.ts";
import { type Problem, validatePinEvent } from "../pin/pin_event.ts";

/** The outcome of parsing one record. */
export type ParsedRecord =
  | { ok: true; pin: CleanPin }
  | { ok: false; reason: string; problems: Problem[] };

function _stampProblems(value: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  if (typeof value.event_id !== "string" || value.event_id === "") {
    problems.push({ path: "event_id", message: "Missing the event_id the edge assigns" });
  }
  if (typeof value.received_at !== "string" || Number.isNaN(Date.parse(value.received_at))) {
    problems.push({
      path: "received_at",
      message: "Missing or invalid received_at the edge stamps",
    });
  }
  return problems;
}

/**
 * Parses and cleans one record value.
 *
 * @param value The record's value, JSON text.
 * @param nulled Where to count the values the cleaning makes null, when given.
 * @returns The cleaned pin, or the reason it cannot be used.
 */
export function parseRecord(value: string, nulled?: NulledCounts): ParsedRecord {
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
