/**
 * The pin event as the seed project's client sends it to `POST /pin/`, and
 * its validator.
 *
 * The edge validates every event it accepts, and the stream job validates
 * every record it reads, with this one function. Unknown fields are kept,
 * never rejected, but they are held to the same text policy as the known
 * ones: every string of the event (values and keys, nested ones included)
 * must be well-formed Unicode (no lone surrogate) without U+0000, so that
 * every store downstream can hold it.
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

/**
 * The instants a time of the event may take, in epoch milliseconds: years
 * 0001 to 9999 in UTC, what PostgreSQL's `timestamptz` reads from the
 * ISO-8601 text the cleaning writes (a zone offset can move a written year
 * 0000 or 9999 out of it).
 */
export const TIME_RANGE_MS = {
  min: Date.parse("0001-01-01T00:00:00.000Z"),
  max: Date.parse("9999-12-31T23:59:59.999Z"),
} as const;

/**
 * Whether a time of the event (`event_time`, `received_at`) is one the
 * pipeline accepts: ISO-8601 with seconds and a zone, a real date, within
 * {@linkcode TIME_RANGE_MS}.
 *
 * @param value The value as received.
 * @returns True when the value is such a string.
 */
export function isEventTime(value: unknown): value is string {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value)) return false;
  const ms = Date.parse(value);
  return ms >= TIME_RANGE_MS.min && ms <= TIME_RANGE_MS.max;
}

// The text policy: what is wrong with a string no store can hold, or null. Two native
// scans and no allocation on the usual path; the position is looked for only once a string
// is known to break the policy.
function _textProblem(text: string): string | null {
  const nul = text.indexOf("\u0000");
  if (nul !== -1) {
    return `Contains U+0000 (NUL) at position ${nul}, which no store can hold; remove it`;
  }
  if (text.isWellFormed()) return null;
  const at = _loneSurrogate(text);
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  return `Is not well-formed Unicode: lone surrogate U+${unit} at position ${at}; ` +
    `send the character as UTF-8 or as a pair of \\u escapes`;
}

function _loneSurrogate(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    else return i;
  }
  return -1;
}

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
  const text = _textProblem(value);
  return text === null ? null : { path, message: text };
}

/** What a walk over one unknown field found: too deep, and its first text problem. */
interface _Found {
  tooDeep: boolean;
  text: Problem | null;
}

function _pathOf(base: string, segments: ReadonlyArray<string | number>): string {
  let path = base;
  for (const segment of segments) {
    path += typeof segment === "number" ? `[${segment}]` : `.${segment}`;
  }
  return path;
}

// One walk per unknown field checks its depth and the text policy of every string in it,
// keys included; it stops at the first level too deep. Paths are built only for a problem.
function _walk(
  value: unknown,
  depth: number,
  base: string,
  segments: Array<string | number>,
  found: _Found,
): void {
  if (typeof value === "string") {
    if (found.text !== null) return;
    const message = _textProblem(value);
    if (message !== null) found.text = { path: _pathOf(base, segments), message };
    return;
  }
  if (typeof value !== "object" || value === null) return;
  if (depth + 1 > MAX_EXTRA_DEPTH) {
    found.tooDeep = true;
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !found.tooDeep; i++) {
      segments.push(i);
      _walk(value[i], depth + 1, base, segments, found);
      segments.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    if (found.tooDeep) return;
    if (found.text === null) {
      const message = _textProblem(key);
      if (message !== null) {
        found.text = { path: _pathOf(base, segments), message: `A key ${_lowerFirst(message)}` };
      }
    }
    segments.push(key);
    _walk((value as Record<string, unknown>)[key], depth + 1, base, segments, found);
    segments.pop();
  }
}

function _lowerFirst(message: string): string {
  return message[0]!.toLowerCase() + message.slice(1);
}

function _checkExtra(body: Record<string, unknown>, prefix: string, problems: Problem[]): void {
  for (const key of Object.keys(body)) {
    if (KNOWN.has(key)) continue;
    const keyProblem = _textProblem(key);
    if (keyProblem !== null) {
      problems.push({ path: prefix || "$", message: `A key ${_lowerFirst(keyProblem)}` });
      continue;
    }
    const found: _Found = { tooDeep: false, text: null };
    _walk(body[key], 0, prefix + key, [], found);
    if (found.tooDeep) {
      problems.push({
        path: prefix + key,
        message:
          `Nested too deeply: at most ${MAX_EXTRA_DEPTH} levels of objects and arrays are kept`,
      });
    } else if (found.text !== null) {
      problems.push(found.text);
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
    } else {
      const message = _textProblem(id);
      if (message !== null) problems.push({ path: prefix + "event_id", message });
    }
  }
  // The edge stamps received_at over the client's; a record on the topic still holds it to the policy.
  const received = body.received_at;
  if (typeof received === "string") {
    const message = _textProblem(received);
    if (message !== null) problems.push({ path: prefix + "received_at", message });
  }
  const time = body.event_time;
  if (time !== undefined) {
    if (!isEventTime(time)) {
      problems.push({
        path: prefix + "event_time",
        message: `Expected an ISO-8601 date-time with a zone such as "2026-11-26T10:15:00Z", ` +
          `in the years 0001 to 9999 UTC, got ${_describe(time)}`,
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
