/**
 * Turns a request body into pin events: one JSON object, a JSON array, or
 * NDJSON. Items are counted, and each one's nesting and size measured,
 * before any of them is parsed or validated, so the work and memory of a
 * request are bounded by `INGEST_MAX_EVENTS` whatever the body holds. The
 * edge maps the outcomes to HTTP answers.
 *
 * @module
 */

import {
  MAX_EXTRA_DEPTH,
  type PinEvent,
  type Problem,
  validatePinEvent,
  type Validation,
} from "../../lib/pin/pin_event.ts";
import {
  type ArrayScan,
  type Excess,
  measureValue,
  scanArray,
  type ValueBounds,
} from "./json_spans.ts";

/** Raised when a body cannot be read as text or JSON at all. */
export class BodyParseError extends Error {
  /** 400 when the body is not JSON at all, 422 when it is JSON of the wrong shape. */
  readonly status: 400 | 422;

  constructor(message: string, status: 400 | 422 = 400) {
    super(message);
    this.name = "BodyParseError";
    this.status = status;
  }
}

/** Raised, while counting, as soon as a batch holds more events than allowed. */
export class TooManyEventsError extends Error {
  /** The most events a request may hold. */
  readonly limit: number;

  constructor(limit: number) {
    super(`Too many events: more than ${limit}, at most ${limit} per request`);
    this.name = "TooManyEventsError";
    this.limit = limit;
  }
}

/** One item of a batch body: its text, measured but not parsed. */
export interface BatchItem {
  /** Its text as received. */
  raw: string;
  /** Why it cannot be an event whatever it holds (nested too deeply, too large), or null. */
  problems: Problem[] | null;
}

/** One event of a batch that was not accepted. */
export interface Rejected {
  index: number;
  problems: Problem[];
  raw: string;
}

/** The events of a batch body, split into valid and rejected. */
export interface ParsedBatch {
  events: PinEvent[];
  rejected: Rejected[];
}

/**
 * What one event may hold before it is parsed: the event's object and then
 * its unknown fields' levels, and at most 1024 objects, arrays and fields in
 * all (a pin has 13 to 15 of them).
 */
export const EVENT_BOUNDS: ValueBounds = { maxDepth: 1 + MAX_EXTRA_DEPTH, maxNodes: 1024 };

/** Items parsed and validated between two turns of the event loop. */
const SLICE = 256;

/** Lets the event loop turn: other requests, `/health`, timers. */
function _turn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve));
}

async function _scan(text: string, maxEvents: number): Promise<ArrayScan> {
  const scan = scanArray(text, maxEvents, EVENT_BOUNDS);
  let step = scan.next();
  while (!step.done) {
    await _turn();
    step = scan.next();
  }
  return step.value;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function _excessProblems(excess: Excess, path: string): Problem[] | null {
  if (excess === "depth") {
    return [{
      path,
      message:
        `Nested too deeply: at most ${MAX_EXTRA_DEPTH} levels of objects and arrays are kept`,
    }];
  }
  if (excess === "nodes") {
    return [{
      path,
      message:
        `Too large: at most ${EVENT_BOUNDS.maxNodes} objects, arrays and fields in one event`,
    }];
  }
  return null;
}

/**
 * Decodes a body as strict UTF-8.
 *
 * @throws {BodyParseError} On invalid UTF-8.
 */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return decoder.decode(body);
  } catch {
    throw new BodyParseError("Body is not valid UTF-8");
  }
}

/**
 * Parses JSON text.
 *
 * @throws {BodyParseError} With the parser's reason, on an empty or malformed body.
 */
export function parseJson(text: string): unknown {
  if (text.trim() === "") throw new BodyParseError("Body is empty; expected JSON");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyParseError(`Body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Parses the body of a single event, refusing one that nests deeper or
 * holds more than an event may ({@linkcode EVENT_BOUNDS}) before parsing it.
 *
 * @returns The parsed value, or the problem when it is out of bounds.
 * @throws {BodyParseError} On an empty or malformed body.
 */
export function parsePin(text: string): Validation<unknown> {
  const problems = _excessProblems(measureValue(text, EVENT_BOUNDS), "$");
  return problems ? { ok: false, problems } : { ok: true, value: parseJson(text) };
}

async function _jsonItems(text: string, maxEvents: number): Promise<BatchItem[]> {
  if (text.trimStart()[0] !== "[") {
    if (measureValue(text, EVENT_BOUNDS) === null) parseJson(text);
    throw new BodyParseError(
      "Expected a JSON array of pin events (or NDJSON with Content-Type application/x-ndjson)",
      422,
    );
  }
  const scan = await _scan(text, maxEvents);
  if (!scan.ok) {
    if (scan.reason === "too-many") throw new TooManyEventsError(maxEvents);
    throw new BodyParseError(`Body is not valid JSON: ${scan.message}`);
  }
  return scan.items.map(({ start, end, excess }, index) => ({
    raw: text.slice(start, end),
    problems: _excessProblems(excess, `[${index}]`),
  }));
}

function _ndjsonItems(text: string, maxEvents: number): BatchItem[] {
  const items: BatchItem[] = [];
  for (let start = 0; start < text.length;) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    const raw = text.slice(start, end).trim();
    if (raw !== "") {
      if (items.length === maxEvents) throw new TooManyEventsError(maxEvents);
      const problems = _excessProblems(measureValue(raw, EVENT_BOUNDS), `[${items.length}]`);
      items.push({ raw, problems });
    }
    start = end + 1;
  }
  return items;
}

/**
 * Splits a batch body into its items without parsing them, counting them
 * first and measuring each against {@linkcode EVENT_BOUNDS}: a JSON array,
 * or NDJSON (one event per line, blank lines skipped). A long scan lets the
 * event loop turn every few hundred kilobytes.
 *
 * @param text The body.
 * @param kind `json` for an array, `ndjson` for lines.
 * @param maxEvents The most items allowed.
 * @returns The items, in order.
 * @throws {TooManyEventsError} As soon as the count passes `maxEvents`.
 * @throws {BodyParseError} When a JSON body is not an array (422) or its structure is broken (400).
 */
export async function splitBatch(
  text: string,
  kind: "json" | "ndjson",
  maxEvents: number,
): Promise<BatchItem[]> {
  if (kind === "ndjson") return _ndjsonItems(text, maxEvents);
  if (text.trim() === "") throw new BodyParseError("Body is empty; expected JSON");
  return await _jsonItems(text, maxEvents);
}

function _parseItem(item: BatchItem, index: number, kind: "json" | "ndjson"): Validation<unknown> {
  if (item.problems) return { ok: false, problems: item.problems };
  try {
    return { ok: true, value: JSON.parse(item.raw) };
  } catch (error) {
    const reason = (error as Error).message;
    // A broken line of NDJSON is one rejected event; a broken item of an array breaks the body.
    if (kind === "json") {
      throw new BodyParseError(`Body is not valid JSON: ${reason} in [${index}]`);
    }
    return {
      ok: false,
      problems: [{ path: `[${index}]`, message: `Line is not valid JSON: ${reason}` }],
    };
  }
}

/**
 * Parses and validates the items of a batch, a slice at a time, letting the
 * event loop turn between slices so that one large body does not hold up
 * every other request.
 *
 * @param items The items from {@linkcode splitBatch}.
 * @param kind How they were split: a broken array item is a 400 for the whole body.
 * @returns The valid events, and the rest with their problems and raw text.
 * @throws {BodyParseError} When an item of a JSON array is not JSON.
 */
export async function validateBatch(
  items: BatchItem[],
  kind: "json" | "ndjson",
): Promise<ParsedBatch> {
  const batch: ParsedBatch = { events: [], rejected: [] };
  for (let index = 0; index < items.length; index++) {
    if (index > 0 && index % SLICE === 0) await _turn();
    const item = items[index]!;
    const parsed = _parseItem(item, index, kind);
    const result = parsed.ok ? validatePinEvent(parsed.value, `[${index}].`) : parsed;
    if (result.ok) batch.events.push(result.value);
    else batch.rejected.push({ index, problems: result.problems, raw: item.raw });
  }
  return batch;
}
