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
    ["event_time", "0000-12-31T23:59:59Z"],
    ["event_time", "0001-01-01T00:30:00+01:00"],
    ["event_time", "9999-12-31T24:00:00Z"],
  ];
  for (const [field, value] of cases) {
    await t.step(`${field} = ${JSON.stringify(value).slice(0, 20)}`, () => {
      const problems = problemsOf({ ...seedPin(), [field]: value });
      assert.deepEqual(problems.map((p) => p.path), [field]);
    });
  }
});

Deno.test("[pin_event] accepts event times from year 0001 to 9999 in UTC, what the store holds", () => {
  for (const event_time of ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]) {
    assert.ok(validatePinEvent({ ...seedPin(), event_time }).ok, event_time);
  }
  const [problem] = problemsOf({ ...seedPin(), event_time: "0000-01-01T00:00:00+01:00" });
  assert.match(problem!.message, /in the years 0001 to 9999 UTC/);
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

Deno.test("[pin_event] holds every string to the text policy: no U+0000, no lone surrogate", async (t) => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      "NUL in poster_name",
      { poster_name: "p\u0000q" },
      "poster_name",
      /U\+0000 \(NUL\) at position 1/,
    ],
    ["NUL in category", { category: "\u0000" }, "category", /no store can hold; remove it/],
    ["NUL in event_id", { event_id: "id\u0000" }, "event_id", /U\+0000/],
    ["NUL in received_at", { received_at: "2026-01-01T00:00:00Z\u0000" }, "received_at", /U\+0000/],
    ["lone high surrogate", { title: "x\ud800y" }, "title", /lone surrogate U\+D800 at position 1/],
    ["lone low surrogate", { description: "\udc00" }, "description", /lone surrogate U\+DC00/],
    ["reversed pair", { tag_list: "a\udc00\ud800" }, "tag_list", /U\+DC00 at position 1/],
    ["high surrogate at the end", { image_src: "🎨\ud83c" }, "image_src", /U\+D83C at position 2/],
    ["unknown string field", { note: "a\u0000" }, "note", /U\+0000/],
    ["nested unknown value", { extra: { a: [1, { b: "\ud800" }] } }, "extra.a[1].b", /lone/],
    [
      "nested unknown key",
      { extra: { list: [{ "k\u0000": 1 }] } },
      "extra.list[0]",
      /^A key contains U\+0000/,
    ],
    ["unknown top-level key", { "x\ud800": 1 }, "$", /^A key is not well-formed Unicode/],
  ];
  for (const [name, patch, path, message] of cases) {
    await t.step(name, () => {
      const problems = problemsOf({ ...seedPin(), ...patch });
      assert.deepEqual(problems.map((p) => p.path), [path]);
      assert.match(problems[0]!.message, message);
    });
  }
  await t.step("well-formed text passes: pairs, U+FFFD, other control characters", () => {
    const input = {
      ...seedPin(),
      title: "🎨 \ud83c\udfa8 \ufffd \u0001\u001f",
      extra: { "🎨": ["\u00e9", { deep: "東京" }] },
    };
    assert.ok(validatePinEvent(input).ok);
  });
  await t.step("one text problem per unknown field, however many strings break the policy", () => {
    const problems = problemsOf({ ...seedPin(), extra: Array(1000).fill("\u0000") });
    assert.deepEqual(problems.map((p) => p.path), ["extra[0]"]);
  });
  await t.step("inside a batch the path carries the prefix", () => {
    const result = validatePinEvent({ ...seedPin(), title: "\u0000" }, "[3].");
    assert.ok(!result.ok);
    assert.equal(result.problems[0]!.path, "[3].title");
  });
});
