/**
 * The pin event as the seed project's client sends it to `POST /pin/`, and
 * its validator.
 *
 * Validation runs once, at the edge; everything downstream works with the
 * typed {@link PinEvent}. Unknown fields are kept, never rejected.
 *
 * @module
 */

/** One thing wrong with an input: where (`path`) and what (`message`). */
export interface Problem {
  path: string;
  message: string;
}

/** A pin event accepted by {@linkcode validatePinEvent}. */
export interface PinEvent {
  index: number;
  unique_id: string;
  title: string;
  description: string;
  poster_name: string;
  follower_count: string;
  tag_list: string;
  is_image_or_video: string;
  image_src: string;
  downloaded: number;
  save_location: string;
  category: string;
  /** Client idempotency key; the edge assigns one when absent. */
  event_id?: string;
  /** When the event happened (ISO-8601 with an offset or `Z`). */
  event_time?: string;
  [unknown: string]: unknown;
}

/** A pin event as the edge publishes it: with its `event_id` and `received_at` set. */
export type ReceivedPin = PinEvent & { event_id: string; received_at: string };

/** The outcome of validating one untrusted value. */
export type Validation<T> =
  | { ok: true; value: T }
  | { ok: false; problems: Problem[] };

/** Longest string accepted in any field, in UTF-16 code units. */
export const MAX_FIELD_LENGTH = 65_536;

/** Longest `event_id` accepted. */
export const MAX_EVENT_ID_LENGTH = 128;

/** Deepest nesting of objects and arrays accepted in an unknown field. */
export const MAX_EXTRA_DEPTH = 16;

type Kind = "integer" | "string";

const REQUIRED: ReadonlyArray<readonly [string, Kind]> = [
  ["index", "integer"],
  ["unique_id", "string"],
  ["title", "string"],
  ["description", "string"],
  ["poster_name", "string"],
  ["follower_count", "string"],
  ["tag_list", "string"],
  ["is_image_or_video", "string"],
  ["image_src", "string"],
  ["downloaded", "integer"],
  ["save_location", "string"],
  ["category", "string"],
];

/** The fields every pin event must carry, in the seed's order. */
export const PIN_FIELDS: readonly string[] = REQUIRED.map(([name]) => name);

const KNOWN = new Set([...PIN_FIELDS, "event_id", "event_time", "received_at"]);

// ISO-8601 date-time with seconds, optional fraction, and a zone (Z or ±hh:mm).
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function _describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    return value.length > 40 ? `a string of ${value.length} characters` : `"${value}"`;
  }
  if (typeof value === "number") return String(value);
  return `a value of type ${typeof value}`;
}

function _checkField(name: string, kind: Kind, value: unknown, prefix: string): Problem | null {
  const path = prefix + name;
  if (value === undefined) {
    return {
      path,
      message: `Missing required field '${name}' (expected ${
        kind === "integer" ? "an integer" : "a string"
      })`,
    };
  }
  if (kind === "integer") {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      return { path, message: `Expected an integer, got ${_describe(value)}` };
    }
    return null;
  }
  if (typeof value !== "string") {
    return { path, message: `Expected a string, got ${_describe(value)}` };
  }
  if (value.length > MAX_FIELD_LENGTH) {
    return {
      path,
      message:
        `String is too long: ${value.length} characters, at most ${MAX_FIELD_LENGTH} are accepted`,
    };
  }
  return null;
}

function _depth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth + 1 > MAX_EXTRA_DEPTH) return depth + 1;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function _checkExtra(body: Record<string, unknown>, prefix: string, problems: Problem[]): void {
  for (const key of Object.keys(body)) {
    if (KNOWN.has(key)) continue;
    if (_depth(body[key]) > MAX_EXTRA_DEPTH) {
      problems.push({
        path: prefix + key,
        message:
          `Nested too deeply: at most ${MAX_EXTRA_DEPTH} levels of objects and arrays are kept`,
      });
    }
  }
}

function _checkOptional(body: Record<string, unknown>, prefix: string, problems: Problem[]): void {
  const id = body.event_id;
  if (id !== undefined) {
    if (typeof id !== "string" || id.length === 0 || id.length > MAX_EVENT_ID_LENGTH) {
      problems.push({
        path: prefix + "event_id",
        message: `Expected a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters, got ${
          _describe(id)
        }`,
      });
    }
  }
  const time = body.event_time;
  if (time !== undefined) {
    if (
      typeof time !== "string" || !ISO_DATE_TIME.test(time) || Number.isNaN(Date.parse(time))
    ) {
      problems.push({
        path: prefix + "event_time",
        message: `Expected an ISO-8601 date-time with a zone such as "2026-11-26T10:15:00Z", got ${
          _describe(time)
        }`,
      });
    }
  }
}

/**
 * Validates one untrusted value as a pin event.
 *
 * @param input The parsed JSON value.
 * @param prefix Prepended to every problem's path (e.g. `"[3]."` inside a batch).
 * @returns The typed event (unknown fields kept), or every problem found.
 * @example
 * ```ts
 * const result = validatePinEvent(JSON.parse(body));
 * if (!result.ok) return c.json({ error: "Invalid pin event", problems: result.problems }, 422);
 * ```
 */
export function validatePinEvent(input: unknown, prefix = ""): Validation<PinEvent> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return {
      ok: false,
      problems: [{
        path: prefix || "$",
        message: `Expected a JSON object with the pin's fields, got ${_describe(input)}`,
      }],
    };
  }
  const body = input as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const [name, kind] of REQUIRED) {
    const problem = _checkField(name, kind, body[name], prefix);
    if (problem) problems.push(problem);
  }
  _checkOptional(body, prefix, problems);
  _checkExtra(body, prefix, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: body as PinEvent };
}
