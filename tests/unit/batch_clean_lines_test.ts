import assert from "node:assert/strict";
import { CHUNK_ROWS, cleanLines } from "../../lib/batch/clean_lines.ts";
import { parseRecord } from "../../lib/stream/parse_record.ts";
import { fullPin } from "../fixtures/seed_pins.ts";

Deno.test("[batch] cleanLines hands the cleaned pins over in bounded chunks, in order, and counts every line", () => {
  const valid = CHUNK_ROWS * 2 + 7;
  const lines = Array.from({ length: valid }, (_, i) =>
    JSON.stringify({
      ...fullPin(),
      event_id: `e${i}`,
      received_at: "2026-03-01T10:00:00.000Z",
    }));
  lines.splice(5, 0, "not json", '{"index": 1}', "");
  const chunks: string[] = [];
  const { counts } = cleanLines(lines.join("\n") + "\n", (chunk) => chunks.push(chunk));
  assert.deepEqual(counts, { rowsIn: valid + 2, badJson: 1, invalid: 1, valid });
  assert.deepEqual(chunks.map((chunk) => chunk.split("\n").length - 1), [
    CHUNK_ROWS,
    CHUNK_ROWS,
    7,
  ]);
  const expected = lines.map(parseRecord).flatMap((r) => r.ok ? [JSON.stringify(r.pin)] : []);
  assert.equal(chunks.join(""), expected.join("\n") + "\n");
});
