/**
 * Turns a request body into pin events: one JSON object, a JSON array, or
 * NDJSON. Pure; the edge maps the outcomes to HTTP answers.
 *
 * @module
 */

import { type PinEvent, type Problem, validatePinEvent } from "../../lib/pin/pin_event.ts";

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

/** One event of a batch that was not accepted. */
export interface Rejected {
  index: number;
  problems: Problem[];
  raw: string;
}

/** The events of a batch body, split into valid and rejected. */
export interface ParsedBatch {
  events: PinEvent[];
  /** Position of each valid event in the request. */
  positions: number[];
  rejected: Rejected[];
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a body as strict UTF-8.
 *
 * @throws {BodyParseError} On invalid UTF-8.
 */
export function decodeBody(body: Uint8Array): string {
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

function _split(items: Array<{ value: unknown; raw: () => string }>): ParsedBatch {
  const batch: ParsedBatch = { events: [], positions: [], rejected: [] };
  items.forEach((item, index) => {
    const result = validatePinEvent(item.value, `[${index}].`);
    if (result.ok) {
      batch.events.push(result.value);
      batch.positions.push(index);
    } else {
      batch.rejected.push({ index, problems: result.problems, raw: item.raw() });
    }
  });
  return batch;
}

/**
 * Parses a JSON array of events.
 *
 * @throws {BodyParseError} When the body is not JSON or not an array.
 */
export function parseJsonBatch(text: string): ParsedBatch {
  const value = parseJson(text);
  if (!Array.isArray(value)) {
    throw new BodyParseError(
      "Expected a JSON array of pin events (or NDJSON with Content-Type application/x-ndjson)",
      422,
    );
  }
  return _split(value.map((item) => ({ value: item, raw: () => JSON.stringify(item) })));
}

/**
 * Parses NDJSON: one event per line; blank lines are skipped. A line that is
 * not JSON is rejected on its own, the others still count.
 */
export function parseNdjsonBatch(text: string): ParsedBatch {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const parsed = lines.map((line) => {
    try {
      return { value: JSON.parse(line) as unknown, raw: () => line };
    } catch (error) {
      return { value: new _Unparsable((error as Error).message), raw: () => line };
    }
  });
  const batch = _split(parsed);
  for (const rejected of batch.rejected) {
    const item = parsed[rejected.index]!.value;
    if (item instanceof _Unparsable) {
      rejected.problems = [{
        path: `[${rejected.index}]`,
        message: `Line is not valid JSON: ${item.reason}`,
      }];
    }
  }
  return batch;
}

class _Unparsable {
  constructor(readonly reason: string) {}
}
