/**
 * Pin-like events for the pipeline fuzzer: a seed-shaped event from
 * lib/emulate/pin_generator.ts (drawn by its seed) and a list of mutations.
 * Recipes are small, printable and shrink well; `buildEvent` turns one into
 * the value a client sends.
 *
 * @module
 */

import fc from "fast-check";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { PIN_FIELDS } from "../../lib/pin/pin_event.ts";
import { type JsonLike, nested, RawNumber, REPEATED } from "./json_text.ts";
import { fieldText, type TextOptions, unicodeText } from "./text_arbitraries.ts";

const INTEGER_FIELDS = ["index", "downloaded"] as const;
const TEXT_FIELDS = PIN_FIELDS.filter((field) =>
  !(INTEGER_FIELDS as readonly string[]).includes(field)
);

/** One change to a seed-shaped event. */
export type Mutation =
  | { op: "text"; field: string; value: string }
  | { op: "number"; field: string; value: number | RawNumber }
  | { op: "retype"; field: string; value: JsonLike }
  | { op: "drop"; field: string }
  | { op: "extra"; members: Array<[string, JsonLike]> }
  | { op: "many-extra"; count: number; value: JsonLike }
  | { op: "nest"; key: string; depth: number }
  | { op: "event-time"; value: JsonLike }
  | { op: "event-id"; value: JsonLike }
  | { op: "event-id-length"; length: number }
  | { op: "repeat-key"; field: string; value: JsonLike };

/** How to build one event: the generator's seed and the mutations, in order. */
export interface EventRecipe {
  seed: number;
  mutations: Mutation[];
}

/** Where the events of a case sit in time. */
export interface EventContext {
  /** The case's first `received_at`, epoch ms: seed event times spread over the three days before. */
  start: number;
  /** Position of the event in the case, for its `index` and its unique `event_id`. */
  ordinal: number;
}

/**
 * Numbers for the integer fields: ordinary, huge, negative, fractional,
 * non-finite, and JSON tokens JavaScript never prints.
 *
 * @returns The arbitrary.
 */
export function numberValue(): fc.Arbitrary<number | RawNumber> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: -1000, max: 1_000_000 }) },
    { weight: 2, arbitrary: fc.double() },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        2 ** 53 - 1,
        2 ** 53,
        -(2 ** 53 - 1),
        -(2 ** 53),
        1e308,
        -0,
        0.5,
        1e21,
        2 ** 31,
        -(2 ** 31) - 1,
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        "1e400",
        "-0",
        "1.0",
        "1E2",
        "0.1e1",
        "-1e-400",
        "100000000000000000000000",
      )
        .map((text) => new RawNumber(text)),
    },
  );
}

/**
 * Any JSON value, shallow, with wild strings.
 *
 * @param options Text classes to avoid.
 * @returns The arbitrary.
 */
export function jsonValue(options: TextOptions = {}): fc.Arbitrary<JsonLike> {
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    numberValue(),
    unicodeText(options),
  );
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.dictionary(unicodeText({ ...options, maxLength: 6 }), leaf, { maxKeys: 4 }),
    },
  );
}

function _two(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * Event times: ordinary instants in many zones and boundary or malformed ones
 * (`24:00:00`, 31 February, years 0000 and 9999 with offsets, nine-digit
 * fractions, lower-case `z`, no zone, leap seconds).
 *
 * @param options With "far-years" avoided, no instant outside the years 0001–9999.
 * @returns The arbitrary.
 */
export function eventTimeValue(options: TextOptions = {}): fc.Arbitrary<JsonLike> {
  const farYears = !options.avoid?.has("far-years");
  const zones = ["Z", "+00:00", "-00:00", "+05:30", "-11:00", "+14:00", "+23:59"];
  const ordinary = fc.tuple(
    fc.integer({ min: Date.UTC(2019, 0, 1), max: Date.UTC(2027, 0, 1) }),
    fc.constantFrom(...zones),
    fc.constantFrom(0, 1, 3, 6, 9),
  ).map(([ms, zone, digits]) => {
    const offset = zone === "Z" ? 0 : (zone[0] === "-" ? -1 : 1) *
      (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
    const local = new Date(ms + offset).toISOString().slice(0, 19);
    const fraction = digits === 0
      ? ""
      : `.${String(ms % 1000).padStart(3, "0").padEnd(digits, "7")}`;
    return `${local}${fraction}${zone}`;
  });
  const boundary = fc.constantFrom(
    "2026-11-26T24:00:00Z",
    "2026-02-31T10:00:00Z",
    "2026-02-29T00:00:00Z",
    "2024-02-29T23:59:59.999999999Z",
    "2026-12-31T23:59:60Z",
    "0001-01-01T00:00:00-00:30",
    "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-11-26T10:15:00z",
    "2026-11-26T10:15:00",
    "2026-11-26 10:15:00Z",
    "2026-11-26T10:15Z",
    "2026-11-26T10:15:00.Z",
    "+002026-11-26T10:15:00Z",
    "2026-11-26T10:15:00+0530",
    "",
  );
  // Any calendar-shaped text: days past the month's end, hour 24, second 60, and (unless
  // avoided) years whose UTC instant falls outside 0001–9999 once the offset is applied.
  const shaped = fc.tuple(
    farYears ? fc.integer({ min: 0, max: 9999 }) : fc.integer({ min: 2, max: 9998 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 31 }),
    fc.integer({ min: 0, max: 24 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 60 }),
    fc.constantFrom(...zones),
  ).map(([y, mo, d, h, mi, sec, zone]) =>
    `${String(y).padStart(4, "0")}-${_two(mo)}-${_two(d)}T${_two(h)}:${_two(mi)}:${
      _two(sec)
    }${zone}`
  );
  const far = fc.constantFrom(
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "0000-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
  );
  return fc.oneof(
    { weight: 3, arbitrary: ordinary },
    { weight: 3, arbitrary: boundary },
    { weight: 2, arbitrary: farYears ? fc.oneof(shaped, far) : shaped },
    { weight: 1, arbitrary: fc.oneof(fc.constant(null), fc.integer(), fc.constant<JsonLike>([])) },
  );
}

/**
 * One mutation of a seed-shaped event.
 *
 * @param options Text classes to avoid.
 * @returns The arbitrary.
 */
export function mutation(options: TextOptions = {}): fc.Arbitrary<Mutation> {
  const textField = fc.constantFrom(...TEXT_FIELDS);
  const anyField = fc.constantFrom(...PIN_FIELDS, "event_id", "event_time");
  const extraKey = unicodeText({ ...options, maxLength: 8 })
    .filter((key) =>
      !PIN_FIELDS.includes(key) &&
      !["event_id", "event_time", "received_at", REPEATED].includes(key)
    );
  return fc.oneof(
    {
      weight: 8,
      arbitrary: textField.chain((field) =>
        fieldText(field, options).map((value): Mutation => ({ op: "text", field, value }))
      ),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant("number" as const),
        field: fc.constantFrom(...INTEGER_FIELDS),
        value: numberValue(),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("retype" as const),
        field: anyField,
        value: jsonValue(options),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant("drop" as const), field: anyField }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("extra" as const),
        members: fc.array(fc.tuple(extraKey, jsonValue(options)), { maxLength: 6 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("many-extra" as const),
        count: fc.constantFrom(100, 255, 300),
        value: jsonValue(options),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("nest" as const),
        key: extraKey,
        depth: options.avoid?.has("deep-nesting")
          ? fc.constantFrom(15, 16, 17, 64)
          : fc.constantFrom(15, 16, 17, 64, 5000, 100_000),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("event-time" as const),
        value: eventTimeValue(options),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant("event-id" as const),
        value: fc.oneof(
          { weight: 4, arbitrary: unicodeText({ ...options, maxLength: 12 }) },
          { weight: 1, arbitrary: jsonValue(options) },
        ),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("event-id-length" as const),
        length: fc.constantFrom(0, 128, 129),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant("repeat-key" as const),
        field: anyField,
        value: jsonValue(options),
      }),
    },
  );
}

/**
 * A recipe: a generator seed and up to `maxMutations` mutations (none most often).
 *
 * @param options Text classes to avoid and the most mutations.
 * @returns The arbitrary.
 */
export function eventRecipe(
  options: TextOptions & { maxMutations?: number } = {},
): fc.Arbitrary<EventRecipe> {
  return fc.record({
    seed: fc.nat({ max: 1_000_000 }),
    mutations: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Mutation[]>([]) },
      {
        weight: 2,
        arbitrary: fc.array(mutation(options), { maxLength: options.maxMutations ?? 3 }),
      },
    ),
  });
}

/**
 * Builds the event a recipe describes. Its `event_id` is unique in the case
 * (`e<ordinal>`, or `<ordinal>:<text>` for a mutated string id), so that only
 * deliberate retries share one.
 *
 * @param recipe The recipe.
 * @param context The case's start time and the event's position.
 * @returns The event as the client sends it.
 */
export function buildEvent(recipe: EventRecipe, context: EventContext): Record<string, JsonLike> {
  const next = createPinGenerator({
    seed: recipe.seed,
    posters: 40,
    span: { from: new Date(context.start - 3 * 86_400_000), to: new Date(context.start) },
  });
  const event = { ...next(), index: context.ordinal, event_id: `e${context.ordinal}` } as Record<
    string,
    JsonLike
  >;
  for (const change of recipe.mutations) _apply(event, change, context.ordinal);
  return event;
}

/**
 * Builds `count` seed-shaped events from one generator, unmutated, with unique
 * `event_id`s (`e<ordinal>`); every fifth has no `event_time` (it falls back to
 * `received_at`).
 *
 * @param seed The generator's seed.
 * @param count How many.
 * @param context The case's start time and the first event's position.
 * @returns The events.
 */
export function buildBulk(
  seed: number,
  count: number,
  context: EventContext,
): Array<Record<string, JsonLike>> {
  const next = createPinGenerator({
    seed,
    posters: 200,
    span: { from: new Date(context.start - 3 * 86_400_000), to: new Date(context.start) },
  });
  return Array.from({ length: count }, (_, i) => {
    const event = {
      ...next(),
      index: context.ordinal + i,
      event_id: `e${context.ordinal + i}`,
    } as Record<
      string,
      JsonLike
    >;
    if (i % 5 === 4) delete event.event_time;
    return event;
  });
}

function _apply(event: Record<string, JsonLike>, change: Mutation, ordinal: number): void {
  switch (change.op) {
    case "text":
    case "number":
    case "retype":
      event[change.field] = change.value;
      return;
    case "drop":
      delete event[change.field];
      return;
    case "extra":
      for (const [key, value] of change.members) event[key] = value;
      return;
    case "many-extra":
      for (let i = 0; i < change.count; i++) event[`extra_${i}`] = change.value;
      return;
    case "nest":
      event[change.key] = nested(change.depth);
      return;
    case "event-time":
      event.event_time = change.value;
      return;
    case "event-id":
      event.event_id = typeof change.value === "string"
        ? `${ordinal}:${change.value}`
        : change.value;
      return;
    case "event-id-length":
      event.event_id = `${ordinal}:`.padEnd(change.length, "x").slice(0, change.length);
      return;
    case "repeat-key": {
      const repeated = (event[REPEATED] ?? []) as unknown as Array<[string, JsonLike]>;
      event[REPEATED] = [...repeated, [change.field, change.value]] as unknown as JsonLike;
      return;
    }
  }
}
