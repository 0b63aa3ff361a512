/**
 * One record of the `pins` topic (as the archive keeps it, one per line)
 * turned into a cleaned pin, or into the reason it cannot be used. The
 * stream job and the batch both decide every record with this function, so
 * that what one rejects the other rejects and both clean alike.
 *
 * @module
 */

import { type CleanPin, cleanPin } from "./clean_pin.ts";
import { cleanPinWithOutcomes, type NulledCounts } from "./clean_outcomes.ts";
import { isEventTime, type Problem, validatePinEvent } from "./pin_event.ts";

/** Why a record cannot be used: not JSON, not a pin event, or not stamped by the edge. */
export type RecordRejection = "not JSON" | "not a pin event" | "not stamped by the edge";

/** The outcome of parsing one record. */
export type ParsedRecord =
  | { ok: true; pin: CleanPin }
  | { ok: false; reason: RecordRejection; problems: Problem[] };

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
 * Parses, validates and cleans one record's text.
 *
 * @param value The record's value, JSON text.
 * @param nulled Where to count the values the cleaning makes null, when given.
 * @returns The cleaned pin, or the reason it cannot be used with its problems.
 * @example
 * ```ts
 * const parsed = parsePinRecord(line);
 * if (parsed.ok) rows.push(parsed.pin);
 * ```
 */
export function parsePinRecord(value: string, nulled?: NulledCounts): ParsedRecord {
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
