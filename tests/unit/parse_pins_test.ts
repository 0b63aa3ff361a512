import assert from "node:assert/strict";
import {
  BodyParseError,
  decodeUtf8,
  EVENT_BOUNDS,
  parseJson,
  parsePin,
  splitBatch,
  TooManyEventsError,
  validateBatch,
} from "../../edge/http/parse_pins.ts";
import { fullPin } from "../fixtures/seed_pins.ts";

Deno.test("[parse_pins] JSON array: valid events kept, invalid ones rejected with their text", async () => {
  const body = JSON.stringify([fullPin(), { ...fullPin(), index: "x" }, fullPin()]);
  const batch = await validateBatch(await splitBatch(body, "json", 10), "json");
  assert.equal(batch.events.length, 2);
  assert.equal(batch.rejected.length, 1);
  assert.equal(batch.rejected[0]!.index, 1);
  assert.equal(batch.rejected[0]!.problems[0]!.path, "[1].index");
  assert.equal(JSON.parse(batch.rejected[0]!.raw).index, "x");
});

Deno.test("[parse_pins] a JSON body that is not an array is a 422, a broken one a 400", async () => {
  await assert.rejects(
    splitBatch(JSON.stringify(fullPin()), "json", 10),
    (e: unknown) => e instanceof BodyParseError && e.status === 422,
  );
  for (const text of ["[1,", "{", "[1] 2"]) {
    await assert.rejects(
      splitBatch(text, "json", 10),
      (e: unknown) => e instanceof BodyParseError && e.status === 400,
    );
  }
  await assert.rejects(
    validateBatch(await splitBatch('[{"a":1}, {"a":tru}]', "json", 10), "json"),
    (e: unknown) => e instanceof BodyParseError && e.status === 400 && /in \[1\]/.test(e.message),
  );
});

Deno.test("[parse_pins] NDJSON: blank lines skipped, a broken line rejected alone", async () => {
  const text = [JSON.stringify(fullPin()), "", "{not json", JSON.stringify(fullPin()), ""].join(
    "\n",
  );
  const batch = await validateBatch(await splitBatch(text, "ndjson", 10), "ndjson");
  assert.equal(batch.events.length, 2);
  assert.equal(batch.rejected.length, 1);
  assert.equal(batch.rejected[0]!.index, 1);
  assert.equal(batch.rejected[0]!.raw, "{not json");
  assert.match(batch.rejected[0]!.problems[0]!.message, /Line is not valid JSON/);
});

Deno.test("[parse_pins] items are counted before anything is parsed or validated", async (t) => {
  // 2.5 MB of items: refused as soon as the 11th is seen.
  for (
    const [kind, text] of [
      ["json", "[" + "{},".repeat(800_000) + "{}]"],
      ["ndjson", "{}\n".repeat(800_000)],
    ] as const
  ) {
    await t.step(kind, async () => {
      const started = performance.now();
      await assert.rejects(
        splitBatch(text, kind, 10),
        (e: unknown) => e instanceof TooManyEventsError && e.limit === 10,
      );
      assert.ok(performance.now() - started < 100, `took ${performance.now() - started} ms`);
    });
  }
});

Deno.test("[parse_pins] an item nested too deeply or too large is rejected alone, unparsed", async (t) => {
  const deep = "[".repeat(2_500_000) + "]".repeat(2_500_000);
  const wide = `{"x":[${"{},".repeat(EVENT_BOUNDS.maxNodes)}{}]}`;
  await t.step("in a JSON array, quickly", async () => {
    const started = performance.now();
    const body = `[${deep}, ${wide}, ${JSON.stringify(fullPin())}]`;
    const batch = await validateBatch(await splitBatch(body, "json", 10), "json");
    assert.equal(batch.events.length, 1);
    assert.deepEqual(batch.rejected.map((r) => r.problems[0]!.path), ["[0]", "[1]"]);
    assert.match(batch.rejected[0]!.problems[0]!.message, /Nested too deeply/);
    assert.match(batch.rejected[1]!.problems[0]!.message, /at most 1024 objects/);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });
  await t.step("in NDJSON", async () => {
    const batch = await validateBatch(
      await splitBatch(`${deep}\n${wide}\n${JSON.stringify(fullPin())}`, "ndjson", 10),
      "ndjson",
    );
    assert.equal(batch.events.length, 1);
    assert.equal(batch.rejected.length, 2);
  });
  await t.step("as one event", () => {
    const result = parsePin(deep);
    assert.ok(!result.ok && result.problems[0]!.path === "$");
    assert.ok(!parsePin(wide).ok);
    assert.ok(parsePin(JSON.stringify({ ...fullPin(), extra: [[[1]]] })).ok);
  });
});

Deno.test("[parse_pins] bodies that are not JSON or not UTF-8 are 400s", async (t) => {
  for (const text of ["", "   ", '{"index": 1', "[1,2", "nul"]) {
    await t.step(JSON.stringify(text), () => {
      assert.throws(
        () => parseJson(text),
        (e: unknown) => e instanceof BodyParseError && e.status === 400,
      );
    });
  }
  await t.step("invalid UTF-8", () => {
    assert.throws(() => decodeUtf8(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/);
  });
});
