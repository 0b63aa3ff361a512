import assert from "node:assert/strict";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { NULLABLE_FIELDS, type NulledCounts } from "../../lib/pin/clean_outcomes.ts";
import { SENTINELS } from "../../lib/pin/clean_pin.ts";
import { splitBatch } from "../../lib/stream/parse_record.ts";
import { fullPin } from "../fixtures/seed_pins.ts";
import { batchClean } from "../fixtures/batch_clean.ts";

const RECEIVED = "2026-03-01T10:00:00.123Z";

/** What the stream job counts for a micro-batch of these lines. */
function _streamCounts(lines: readonly string[]): NulledCounts {
  const nulled: NulledCounts = {};
  const records = lines.map((value, offset) => ({
    partition: 0,
    offset,
    key: null,
    value,
    timestamp: 0,
  }));
  splitBatch({ topic: "pins", partition: 0, records, highWatermark: lines.length }, nulled);
  return nulled;
}

/** What the batch records for a day of these lines. */
async function _batchCounts(lines: readonly string[]): Promise<NulledCounts> {
  return (await batchClean(lines)).nulled;
}

function _line(id: string, patch: Record<string, unknown>): string {
  return JSON.stringify({ ...fullPin(), event_id: id, received_at: RECEIVED, ...patch });
}

Deno.test("[batch] the batch counts what the cleaning nulled as the stream does: hand-made cases", async () => {
  const lines = [
    _line("lots", { follower_count: "lots" }),
    _line("empty", { follower_count: "", title: "" }),
    _line("spaces", { follower_count: "   ", category: "\u3000 " }),
    _line("huge", { follower_count: "99999999999999999999k" }),
    _line("sentinel", { follower_count: " User Info Error ", tag_list: " , ,," }),
    _line("prefix", { save_location: "Local save in ", is_image_or_video: "" }),
    _line("lower", { follower_count: "user info error", image_src: "Image src error." }),
    _line("lots", { follower_count: "lots" }), // a duplicate: cleaned, and counted, again
    _line("kept", { follower_count: "12k" }),
    // Not valid events: never cleaned, never counted.
    _line("bad-index", { index: "x", follower_count: "lots" }),
    '{"follower_count": "lots"',
  ];
  const expected: NulledCounts = {
    title: { blank: 1 },
    follower_count: { blank: 2, unparseable: 4, sentinel: 1 },
    tag_list: { empty_list: 1 },
    is_image_or_video: { blank: 1 },
    image_src: { sentinel: 1 },
    save_location: { blank: 1 },
    category: { blank: 1 },
  };
  assert.deepEqual(_streamCounts(lines), expected);
  assert.deepEqual(await _batchCounts(lines), expected);
});

Deno.test("[batch] the batch counts what the cleaning nulled as the stream does: every field and value", async () => {
  const values = ["", "   ", "\u00a0x\u2028", "lots", " , ,,", "Local save in ", "a,b", "1.5k"];
  const lines: string[] = [];
  for (const field of NULLABLE_FIELDS) {
    for (const value of [...values, ...(SENTINELS[field] ?? []).map((s) => ` ${s}\t`)]) {
      lines.push(_line(`${field}-${lines.length}`, { [field]: value }));
    }
  }
  const stream = _streamCounts(lines);
  assert.deepEqual(await _batchCounts(lines), stream);
  for (const field of NULLABLE_FIELDS) assert.ok(stream[field]?.blank, `${field} has blanks`);
});

Deno.test("[batch] the batch counts what the cleaning nulled as the stream does: generated events", async () => {
  const next = createPinGenerator({ seed: 11, now: () => new Date(RECEIVED) });
  const lines = Array.from(
    { length: 5000 },
    () => JSON.stringify({ ...next(), received_at: RECEIVED }),
  );
  const stream = _streamCounts(lines);
  assert.deepEqual(await _batchCounts(lines), stream);
  for (const field of Object.keys(SENTINELS) as Array<keyof NulledCounts>) {
    assert.ok((stream[field]?.sentinel ?? 0) > 0, `the generator nulls some ${field}`);
  }
});
