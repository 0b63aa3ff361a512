/**
 * The dead-letter record: what was received but could not be used, kept on
 * the dead-letter topic with the reason, the problems and the raw text. The
 * edge and the stream job build it here, so the topic holds one shape.
 *
 * @module
 */

import type { Problem } from "./pin_event.ts";

/** Something received that could not be used, as the caller describes it. */
export interface DeadLetter {
  /** Where it came from: "edge:/pins", or "stream:<topic>/<partition>@<offset>". */
  source: string;
  /** A short reason, e.g. "invalid", "not JSON", "refused by the store". */
  reason: string;
  problems: Problem[];
  /** The raw text received. */
  raw: string;
  /** Position in a batch request, when it came in one. */
  index?: number;
}

/** The record on the dead-letter topic: the letter, its raw text bounded, and when it was written. */
export interface DeadLetterRecord extends DeadLetter {
  /** True when `raw` was cut: its UTF-8 form exceeded {@linkcode MAX_DEAD_LETTER_RAW_BYTES}. */
  truncated: boolean;
  /** ISO-8601 time the record was built. */
  received_at: string;
}

/** Raw text longer than this in UTF-8 is cut to its first quarter (in UTF-16 code units). */
export const MAX_DEAD_LETTER_RAW_BYTES = 256 * 1024;

const encoder = new TextEncoder();

function _tooLong(raw: string): boolean {
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: short strings need no encoding.
  if (raw.length * 3 <= MAX_DEAD_LETTER_RAW_BYTES) return false;
  return raw.length > MAX_DEAD_LETTER_RAW_BYTES ||
    encoder.encode(raw).byteLength > MAX_DEAD_LETTER_RAW_BYTES;
}

/**
 * Builds the dead-letter record of a letter, with its raw text bounded.
 *
 * @param letter What was received and why it could not be used.
 * @param receivedAt When, as an ISO-8601 string.
 * @returns The record to serialise onto the dead-letter topic.
 */
export function deadLetterRecord(letter: DeadLetter, receivedAt: string): DeadLetterRecord {
  const truncated = _tooLong(letter.raw);
  const raw = truncated ? letter.raw.slice(0, MAX_DEAD_LETTER_RAW_BYTES / 4) : letter.raw;
  return { ...letter, raw, truncated, received_at: receivedAt };
}
