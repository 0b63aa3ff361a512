/**
 * The batch's cleaning of one raw object's text: every non-empty line goes
 * through `parsePinRecord` (`lib/pin/parse_pin_record.ts`), the function the
 * stream job decides each record with, so both views clean alike and reject
 * alike. The valid pins come out as NDJSON, ready for DuckDB's `read_json`.
 *
 * @module
 */

import { addNull, NULL_OUTCOMES, type NulledCounts } from "../pin/clean_outcomes.ts";
import { parsePinRecord } from "../pin/parse_pin_record.ts";

/** Line counts of cleaning some raw text. */
export interface LineCounts {
  /** Non-empty lines read. */
  rowsIn: number;
  /** Lines that are not JSON. */
  badJson: number;
  /** JSON lines that are not valid pin events (with `event_id` and `received_at`). */
  invalid: number;
  /** Valid events. */
  valid: number;
}

/** What cleaning some raw text counts. */
export interface CleanedLines {
  counts: LineCounts;
  /** Values the cleaning made null in the valid events, by field and reason. */
  nulled: NulledCounts;
}

/** Cleaned pins handed to the sink at once, at most. */
export const CHUNK_ROWS = 2000;

/**
 * Cleans the records of one raw object, one a line, handing the cleaned pins
 * to `sink` as NDJSON (`CleanPin`, times as ISO-8601 UTC) in chunks of at
 * most {@linkcode CHUNK_ROWS} lines, so that a large object never holds all
 * its output at once.
 *
 * @param text The object's text.
 * @param sink Receives each chunk, every line ending with a newline.
 * @returns The line counts and the nulled values.
 * @example
 * ```ts
 * const { counts } = cleanLines('{"index": 1}\nnot json\n', (chunk) => out.push(chunk));
 * // counts: { rowsIn: 2, badJson: 1, invalid: 1, valid: 0 }, nothing handed to the sink
 * ```
 */
export function cleanLines(text: string, sink: (ndjson: string) => void): CleanedLines {
  const counts: LineCounts = { rowsIn: 0, badJson: 0, invalid: 0, valid: 0 };
  const nulled: NulledCounts = {};
  let out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end > start) {
      counts.rowsIn++;
      const parsed = parsePinRecord(text.slice(start, end), nulled);
      if (parsed.ok) {
        counts.valid++;
        out.push(JSON.stringify(parsed.pin));
        if (out.length === CHUNK_ROWS) {
          sink(out.join("\n") + "\n");
          out = [];
        }
      } else if (parsed.reason === "not JSON") counts.badJson++;
      else counts.invalid++;
    }
    start = end + 1;
  }
  if (out.length > 0) sink(out.join("\n") + "\n");
  return { counts, nulled };
}

/**
 * Adds counts and nulled values into running totals.
 *
 * @param total The totals, changed in place.
 * @param part What to add.
 */
export function addCleaned(
  total: { counts: LineCounts; nulled: NulledCounts },
  part: { counts: LineCounts; nulled: NulledCounts },
): void {
  total.counts.rowsIn += part.counts.rowsIn;
  total.counts.badJson += part.counts.badJson;
  total.counts.invalid += part.counts.invalid;
  total.counts.valid += part.counts.valid;
  for (const [field, reasons] of Object.entries(part.nulled)) {
    for (const [reason, n] of Object.entries(reasons)) {
      addNull(total.nulled, field as keyof NulledCounts, reason as never, n);
    }
  }
}

/**
 * The same counts with fields and reasons in `NULL_OUTCOMES` order, whatever
 * order the workers finished in, so that a day's record is the same on every run.
 *
 * @param nulled The counts.
 * @returns A new object in the canonical order.
 */
export function orderNulled(nulled: NulledCounts): NulledCounts {
  const ordered: NulledCounts = {};
  for (const { field, reason } of NULL_OUTCOMES) {
    addNull(ordered, field, reason, nulled[field]?.[reason] ?? 0);
  }
  return ordered;
}
