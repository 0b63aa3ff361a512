/**
 * The fuzzer's own reading of the event contract (README, "The pin event"),
 * written apart from lib/pin/pin_event.ts: what the edge must accept, what it
 * must reject, and what the contract leaves open. Only the first two are
 * checked against the edge's answers.
 *
 * @module
 */

/** Whether the contract says an item must be accepted, must be rejected, or does not say. */
export type Verdict = "valid" | "invalid" | "open";

const INTEGERS = ["index", "downloaded"];
const STRINGS = [
  "unique_id",
  "title",
  "description",
  "poster_name",
  "follower_count",
  "tag_list",
  "is_image_or_video",
  "image_src",
  "save_location",
  "category",
];
const KNOWN = new Set([...INTEGERS, ...STRINGS, "event_id", "event_time", "received_at"]);
const LONGEST_TEXT = 65_536;
const LONGEST_ID = 128;
const DEEPEST = 16;

// Ordinary times: years 1900-2099, real calendar days, hours below 24, at most milliseconds.
const ORDINARY_TIME =
  /^(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,3})?(Z|[+-](0\d|1[0-4]):[0-5]\d)$/;
// What ISO-8601 with seconds and a zone looks like at all; anything else is not a date-time.
const ISO_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function _realDay(text: string): boolean {
  const [y, m, d] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  return new Date(Date.UTC(y, m - 1, d)).getUTCDate() === d;
}

/** Whether text holds U+0000 or a lone surrogate, which the contract leaves open. */
export function hasContestedText(text: string): boolean {
  return text.includes("\u0000") || !text.isWellFormed();
}

function _deepestAndContested(value: unknown): { depth: number; contested: boolean } {
  let depth = 0;
  let contested = false;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, level] = stack.pop()!;
    if (typeof item === "string") {
      contested ||= hasContestedText(item);
      continue;
    }
    if (typeof item !== "object" || item === null) continue;
    depth = Math.max(depth, level + 1);
    for (const [key, child] of Object.entries(item)) {
      contested ||= hasContestedText(key);
      stack.push([child, level + 1]);
    }
  }
  return { depth, contested };
}

/**
 * Classifies a parsed JSON value as the contract describes pin events.
 *
 * @param value What the server parses from the item.
 * @returns The verdict.
 */
export function expectedVerdict(value: unknown): Verdict {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "invalid";
  const event = value as Record<string, unknown>;
  let open = false;
  for (const field of INTEGERS) {
    if (!Number.isSafeInteger(event[field])) return "invalid";
  }
  for (const field of STRINGS) {
    const text = event[field];
    if (typeof text !== "string" || text.length > LONGEST_TEXT) return "invalid";
  }
  const id = event.event_id;
  if (id !== undefined) {
    if (typeof id !== "string" || id.length === 0 || id.length > LONGEST_ID) return "invalid";
  }
  const time = event.event_time;
  if (time !== undefined) {
    if (typeof time !== "string" || !ISO_SHAPE.test(time)) return "invalid";
    if (!ORDINARY_TIME.test(time) || !_realDay(time)) open = true;
  }
  for (const [key, child] of Object.entries(event)) {
    if (KNOWN.has(key)) continue;
    const { depth, contested } = _deepestAndContested(child);
    if (depth > DEEPEST) return "invalid";
    open ||= contested || hasContestedText(key);
  }
  for (const field of [...STRINGS, "event_id"]) {
    const text = event[field];
    if (typeof text === "string") open ||= hasContestedText(text);
  }
  return open ? "open" : "valid";
}
