import assert from "node:assert/strict";
import {
  BodyParseError,
  decodeBody,
  parseJson,
  parseJsonBatch,
  parseNdjsonBatch,
} from "../../edge/http/parse_pins.ts";
import { fullPin } from "../fixtures/seed_pins.ts";

Deno.test("[parse_pins] JSON array: valid events kept with positions, invalid ones rejected with raw text", () => {
  const body = JSON.stringify([fullPin(), { ...fullPin(), index: "x" }, fullPin()]);
  const batch = parseJsonBatch(body);
  assert.equal(batch.events.length, 2);
  assert.deepEqual(batch.positions, [0, 2]);
  assert.equal(batch.rejected.length, 1);
  assert.equal(batch.rejected[0]!.index, 1);
  assert.equal(batch.rejected[0]!.problems[0]!.path, "[1].index");
  assert.equal(JSON.parse(batch.rejected[0]!.raw).index, "x");
});

Deno.test("[parse_pins] a JSON body that is not an array is a 422", () => {
  assert.throws(
    () => parseJsonBatch(JSON.stringify(fullPin())),
    (e: unknown) => e instanceof BodyParseError && e.status === 422,
  );
});

Deno.test("[parse_pins] NDJSON: blank lines skipped, a broken line rejected alone", () => {
  const text = [JSON.stringify(fullPin()), "", "{not json", JSON.stringify(fullPin()), ""].join(
    "\n",
  );
  const batch = parseNdjsonBatch(text);
  assert.equal(batch.events.length, 2);
  assert.equal(batch.rejected.length, 1);
  assert.equal(batch.rejected[0]!.index, 1);
  assert.equal(batch.rejected[0]!.raw, "{not json");
  assert.match(batch.rejected[0]!.problems[0]!.message, /Line is not valid JSON/);
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
    assert.throws(() => decodeBody(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/);
  });
});
