/**
 * Fuzz cases: steps in time, each a few concurrent requests to the edge —
 * single `/pin/` posts, `/pins` JSON arrays and NDJSON with valid, invalid
 * and retried events mixed, whole-request retries, and malformed bodies.
 * A case is a recipe (what fast-check generates and shrinks); see
 * `materialize_case.ts` for the bytes sent.
 *
 * @module
 */

import fc from "fast-check";
import { type EventRecipe, eventRecipe, jsonValue } from "./event_arbitraries.ts";
import type { JsonLike } from "./json_text.ts";
import { type TextOptions, unicodeText } from "./text_arbitraries.ts";

/** One item of a request. */
export type ItemRecipe =
  /** A seed-shaped event, mutated. */
  | { kind: "event"; event: EventRecipe }
  /** An earlier event of the case sent again verbatim (a client retry). */
  | { kind: "retry"; of: number }
  /** Text that is not JSON, or an event cut short. */
  | { kind: "junk"; text: string }
  | { kind: "cut"; event: EventRecipe; at: number }
  /** JSON that is not an event object. */
  | { kind: "value"; value: JsonLike };

/** Bodies no serialiser of events produces. */
export type RawBody = "invalid-utf8" | "bom" | "deep-array" | "many-empty-objects" | "empty";

/** One request. */
export type RequestRecipe =
  | { route: "/pin/"; item: ItemRecipe; contentType: string | null }
  | {
    route: "/pins";
    format: "json" | "ndjson";
    items: ItemRecipe[];
    contentType: string | null;
    crlf: boolean;
    blankLines: boolean;
  }
  /** An earlier request of the case sent again, byte for byte. */
  | { route: "resend"; of: number }
  /** Many seed-shaped events in one `/pins` request, for volume. */
  | { route: "bulk"; seed: number; count: number; format: "json" | "ndjson" }
  | { route: "raw"; target: "/pin/" | "/pins"; body: RawBody };

/** Requests sent at once after the clock moved on by `advanceMs`. */
export interface StepRecipe {
  advanceMs: number;
  requests: RequestRecipe[];
}

/** A whole case. */
export interface CaseRecipe {
  /** The first `received_at`, epoch ms. */
  start: number;
  steps: StepRecipe[];
}

/** How big and how wild cases are. */
export interface CaseOptions extends TextOptions {
  /** Most steps per case (default 8). */
  maxSteps?: number;
  /** Most items per `/pins` request (default 60). */
  maxBatchItems?: number;
  /** Most events per bulk `/pins` request of seed-shaped events (default 400). */
  maxBulkEvents?: number;
  /** Most mutations per event (default 3). */
  maxMutations?: number;
}

const JUNK = [
  "",
  " ",
  "{",
  "null",
  "[]",
  "{}",
  "\ufeff{}",
  '{"a":1,}',
  "NaN",
  '{"title":"\u0001"}',
  "[[[[",
  "}{",
  '"\\ud800"',
  '{"index":1e999999}',
];

function _item(options: CaseOptions): fc.Arbitrary<ItemRecipe> {
  const event = eventRecipe(options);
  return fc.oneof(
    { weight: 12, arbitrary: event.map((e): ItemRecipe => ({ kind: "event", event: e })) },
    { weight: 3, arbitrary: fc.nat().map((of): ItemRecipe => ({ kind: "retry", of })) },
    {
      weight: 1,
      arbitrary: fc.oneof(fc.constantFrom(...JUNK), unicodeText(options))
        .map((text): ItemRecipe => ({ kind: "junk", text: text.replaceAll("\n", " ") })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(event, fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([e, at]): ItemRecipe => ({ kind: "cut", event: e, at })),
    },
    {
      weight: 1,
      arbitrary: jsonValue(options).map((value): ItemRecipe => ({ kind: "value", value })),
    },
  );
}

const SINGLE_TYPES = [
  null,
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/vnd.pin+json",
  "text/plain",
];
const BATCH_TYPES: Record<"json" | "ndjson", Array<string | null>> = {
  json: [null, "application/json", "application/json;charset=UTF-8"],
  ndjson: ["application/x-ndjson", "application/jsonl", "application/x-ndjson; charset=utf-8"],
};

/**
 * One request.
 *
 * @param options Sizes and text classes.
 * @returns The arbitrary.
 */
export function requestRecipe(options: CaseOptions = {}): fc.Arbitrary<RequestRecipe> {
  const item = _item(options);
  const batch = fc.constantFrom("json" as const, "ndjson" as const).chain((format) =>
    fc.record({
      route: fc.constant("/pins" as const),
      format: fc.constant(format),
      items: fc.array(item, { maxLength: options.maxBatchItems ?? 60 }),
      contentType: fc.constantFrom(...BATCH_TYPES[format]),
      crlf: fc.boolean(),
      blankLines: fc.boolean(),
    })
  );
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        route: fc.constant("/pin/" as const),
        item,
        contentType: fc.constantFrom(...SINGLE_TYPES),
      }),
    },
    { weight: 5, arbitrary: batch },
    { weight: 1, arbitrary: fc.record({ route: fc.constant("resend" as const), of: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        route: fc.constant("bulk" as const),
        seed: fc.nat({ max: 1_000_000 }),
        count: fc.integer({ min: 1, max: options.maxBulkEvents ?? 400 }),
        format: fc.constantFrom("json" as const, "ndjson" as const),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        route: fc.constant("raw" as const),
        target: fc.constantFrom("/pin/" as const, "/pins" as const),
        // Over 10,000 items costs seconds to validate: rarer than the others.
        body: fc.oneof(
          {
            weight: 4,
            arbitrary: options.avoid?.has("deep-nesting")
              ? fc.constantFrom<RawBody>("invalid-utf8", "bom", "empty")
              : fc.constantFrom<RawBody>("invalid-utf8", "bom", "deep-array", "empty"),
          },
          { weight: 1, arbitrary: fc.constant<RawBody>("many-empty-objects") },
        ),
      }),
    },
  );
}

/**
 * A case: a start time in 2026 and steps whose clock moves by nothing, by
 * seconds, or by hours (so that retries cross midnight now and then; with
 * `avoid` holding "cross-day", by at most a minute within one UTC day).
 *
 * @param options Sizes and text classes.
 * @returns The arbitrary.
 */
export function caseRecipe(options: CaseOptions = {}): fc.Arbitrary<CaseRecipe> {
  const sameDay = options.avoid?.has("cross-day") ?? false;
  const steps = options.maxSteps ?? 8;
  const step = fc.record({
    advanceMs: sameDay ? fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60_000 })) : fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 60_000 }),
      fc.integer({ min: 60_000, max: 8 * 3_600_000 }),
    ),
    requests: fc.array(requestRecipe(options), { minLength: 1, maxLength: 3 }),
  });
  // Kept within one UTC day when asked: steps of at most a minute from a start early enough.
  const start = sameDay
    ? fc.tuple(
      fc.integer({ min: 0, max: 364 }),
      fc.integer({ min: 0, max: 86_400_000 - (steps + 1) * 60_000 }),
    )
      .map(([day, ms]) => Date.UTC(2026, 0, 1) + day * 86_400_000 + ms)
    : fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) });
  return fc.record({ start, steps: fc.array(step, { minLength: 1, maxLength: steps }) });
}
