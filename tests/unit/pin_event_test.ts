import assert from "node:assert/strict";
import { MAX_FIELD_LENGTH, PIN_FIELDS, validatePinEvent } from "../../lib/pin/pin_event.ts";
import { seedPin } from "../fixtures/seed_pins.ts";

function problemsOf(input: unknown) {
  const result = validatePinEvent(input);
  assert.equal(result.ok, false, "expected the input to be rejected");
  return result.ok ? [] : result.problems;
}

Deno.test("[pin_event] accepts exactly what the seed's client sends", () => {
  const result = validatePinEvent(seedPin());
  assert.ok(result.ok);
  assert.deepEqual(result.value, seedPin());
});

Deno.test("[pin_event] keeps unknown fields and accepts event_id and event_time", () => {
  const input = {
    ...seedPin(),
    event_id: "abc-1",
    event_time: "2026-11-26T10:15:00.123+02:00",
    extra: { a: [1] },
  };
  const result = validatePinEvent(input);
  assert.ok(result.ok);
  assert.deepEqual(result.value.extra, { a: [1] });
  assert.equal(result.value.event_id, "abc-1");
});

Deno.test("[pin_event] names every missing field", () => {
  const problems = problemsOf({});
  assert.deepEqual(problems.map((p) => p.path), PIN_FIELDS);
  assert.match(problems[0]!.message, /Missing required field 'index' \(expected an integer\)/);
});

Deno.test("[pin_event] rejects wrong types with the field and the value", async (t) => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["index", "3", /Expected an integer, got "3"/],
    ["index", 1.5, /Expected an integer, got 1.5/],
    ["index", null, /Expected an integer, got null/],
    ["downloaded", true, /Expected an integer, got a value of type boolean/],
    ["title", 42, /Expected a string, got 42/],
    ["follower_count", 12000, /Expected a string, got 12000/],
    ["tag_list", ["a", "b"], /Expected a string, got an array/],
    ["category", { name: "art" }, /Expected a string, got a value of type object/],
  ];
  for (const [field, value, message] of cases) {
    await t.step(`${field} = ${JSON.stringify(value)}`, () => {
      const problems = problemsOf({ ...seedPin(), [field]: value });
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.path, field);
      assert.match(problems[0]!.message, message);
    });
  }
});

Deno.test("[pin_event] rejects a non-object body", async (t) => {
  for (const value of [null, [], "pin", 7, true]) {
    await t.step(JSON.stringify(value), () => {
      const problems = problemsOf(value);
      assert.equal(problems[0]!.path, "$");
      assert.match(problems[0]!.message, /Expected a JSON object/);
    });
  }
});

Deno.test("[pin_event] bounds string length", () => {
  assert.ok(validatePinEvent({ ...seedPin(), description: "x".repeat(MAX_FIELD_LENGTH) }).ok);
  const problems = problemsOf({ ...seedPin(), description: "x".repeat(10 * 1024 * 1024) });
  assert.equal(problems[0]!.path, "description");
  assert.match(problems[0]!.message, /too long: 10485760 characters/);
});

Deno.test("[pin_event] accepts non-ASCII text untouched", () => {
  const input = { ...seedPin(), title: "Décor à la maison 東京 🎄", poster_name: "Ñandú" };
  const result = validatePinEvent(input);
  assert.ok(result.ok);
  assert.equal(result.value.title, "Décor à la maison 東京 🎄");
});

Deno.test("[pin_event] validates the optional fields", async (t) => {
  const cases: Array<[string, unknown]> = [
    ["event_id", ""],
    ["event_id", 5],
    ["event_id", "x".repeat(129)],
    ["event_time", "yesterday"],
    ["event_time", "2026-11-26"],
    ["event_time", "2026-11-26T10:15:00"],
    ["event_time", "2026-13-45T10:15:00Z"],
    ["event_time", 1732600000],
  ];
  for (const [field, value] of cases) {
    await t.step(`${field} = ${JSON.stringify(value).slice(0, 20)}`, () => {
      const problems = problemsOf({ ...seedPin(), [field]: value });
      assert.deepEqual(problems.map((p) => p.path), [field]);
    });
  }
});

Deno.test("[pin_event] prefixes paths inside a batch", () => {
  const result = validatePinEvent({ ...seedPin(), index: "x" }, "[3].");
  assert.ok(!result.ok);
  assert.equal(result.problems[0]!.path, "[3].index");
});

Deno.test("[pin_event] refuses unknown fields nested too deeply to re-serialise safely", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const problems = problemsOf({ ...seedPin(), extra: deep });
  assert.deepEqual(problems.map((p) => p.path), ["extra"]);
  assert.match(problems[0]!.message, /Nested too deeply/);
  assert.ok(validatePinEvent({ ...seedPin(), extra: { a: { b: [1, 2] } } }).ok);
});
