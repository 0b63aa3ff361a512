import assert from "node:assert/strict";
import {
  CLEAN_COLUMN_NAMES,
  CLEAN_COLUMNS,
  columnDefinitions,
} from "../../lib/pin/clean_columns.ts";
import { cleanPin } from "../../lib/pin/clean_pin.ts";
import { TRINO_TYPES } from "../../lib/query/trino_curated.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";

const RECEIVED = "2026-11-26T10:00:00.000Z";

Deno.test("[clean_columns] cleanPin builds exactly the columns, in order", async (t) => {
  for (const [name, pin] of [["full", fullPin()], ["seed", seedPin()]] as const) {
    await t.step(`${name} pin`, () => {
      const clean = cleanPin({ ...pin, event_id: "e1", received_at: RECEIVED });
      assert.deepEqual(Object.keys(clean), CLEAN_COLUMN_NAMES);
    });
  }
});

Deno.test("[clean_columns] only nullable columns come out null", () => {
  const clean = cleanPin({ ...seedPin(), event_id: "e1", received_at: RECEIVED });
  const nulls = Object.entries(clean).filter(([, value]) => value === null).map(([name]) => name);
  assert.ok(nulls.length > 0, "the seed's record has sentinels");
  const nullable = CLEAN_COLUMNS.filter((column) => column.nullable).map((column) => column.name);
  for (const name of nulls) assert.ok(nullable.includes(name as never), `${name} is nullable`);
});

Deno.test("[clean_columns] columnDefinitions spells each column with the store's type", () => {
  const ddl = columnDefinitions(TRINO_TYPES);
  assert.ok(
    ddl.startsWith("event_id varchar, event_time timestamp(3), received_at timestamp(3), "),
  );
  assert.ok(ddl.includes(", follower_count bigint, tag_list array(varchar), "));
  assert.ok(ddl.endsWith(", category varchar"));
  assert.equal(ddl.split(", ").length, CLEAN_COLUMNS.length);
});
