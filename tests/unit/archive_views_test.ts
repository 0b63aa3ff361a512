import assert from "node:assert/strict";
import { PIN_FIELDS, validatePinEvent } from "../../lib/pin/pin_event.ts";
import {
  curatedViewSql,
  dlqViewSql,
  RAW_COLUMNS,
  rawViewSql,
} from "../../lib/query/archive_views.ts";
import { fullPin } from "../fixtures/seed_pins.ts";

Deno.test("[archive_views] pins_raw types the validator's fields as the validator does", () => {
  assert.deepEqual(RAW_COLUMNS.map((column) => column.name), [
    ...PIN_FIELDS,
    "event_id",
    "event_time",
    "received_at",
  ]);
  for (const { name, type } of RAW_COLUMNS.filter((column) => PIN_FIELDS.includes(column.name))) {
    const wrong = type === "BIGINT" ? "1" : 1;
    const result = validatePinEvent({ ...fullPin(), [name]: wrong });
    assert.ok(!result.ok, name);
    assert.match(
      result.problems.find((problem) => problem.path === name)?.message ?? "",
      type === "BIGINT" ? /^Expected an integer/ : /^Expected a string/,
      name,
    );
  }
});

Deno.test("[archive_views] file paths are quoted as SQL strings", () => {
  assert.ok(rawViewSql(["/data/it's.ndjson.gz"]).includes("'/data/it''s.ndjson.gz'"));
  assert.ok(curatedViewSql(["/data/it's.parquet"]).includes("'/data/it''s.parquet'"));
  assert.throws(() => rawViewSql([]), /the raw zone is empty/);
  assert.throws(() => curatedViewSql([]), /the curated zone is empty/);
  assert.ok(dlqViewSql(["/data/it's.ndjson.gz"]).includes("'/data/it''s.ndjson.gz'"));
  assert.throws(() => dlqViewSql([]), /the dead-letter zone is empty/);
});
