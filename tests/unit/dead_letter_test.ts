import assert from "node:assert/strict";
import { deadLetterRecord, MAX_DEAD_LETTER_RAW_BYTES } from "../../lib/pin/dead_letter.ts";

const AT = "2026-01-02T03:04:05.000Z";

Deno.test("[dead_letter] one record shape for every source", async (t) => {
  await t.step("keeps a short raw text whole and stamps received_at", () => {
    const record = deadLetterRecord(
      { source: "edge:/pins", reason: "invalid", problems: [], raw: "{}", index: 3 },
      AT,
    );
    assert.deepEqual(record, {
      source: "edge:/pins",
      reason: "invalid",
      problems: [],
      raw: "{}",
      index: 3,
      truncated: false,
      received_at: AT,
    });
  });

  await t.step("cuts a raw text whose UTF-8 form exceeds the bound", () => {
    const raw = "é".repeat(MAX_DEAD_LETTER_RAW_BYTES / 2 + 1);
    const record = deadLetterRecord({ source: "s", reason: "r", problems: [], raw }, AT);
    assert.equal(record.truncated, true);
    assert.equal(record.raw.length, MAX_DEAD_LETTER_RAW_BYTES / 4);
  });

  await t.step("keeps a raw text at the bound", () => {
    const raw = "a".repeat(MAX_DEAD_LETTER_RAW_BYTES);
    const record = deadLetterRecord({ source: "s", reason: "r", problems: [], raw }, AT);
    assert.equal(record.truncated, false);
    assert.equal(record.raw, raw);
  });
});
