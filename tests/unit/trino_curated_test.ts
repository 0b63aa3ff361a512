import assert from "node:assert/strict";
import { CLEAN_COLUMN_NAMES } from "../../lib/pin/clean_columns.ts";
import { curatedTableScript, curatedTableStatements } from "../../lib/query/trino_curated.ts";

Deno.test("[trino_curated] registers schema, external table over the bucket's curated/, then its partitions", () => {
  const [schema, table, sync] = curatedTableStatements({ schema: "it_one", bucket: "my-bucket" });
  assert.equal(schema, "CREATE SCHEMA IF NOT EXISTS hive.it_one");
  assert.match(table!, /^CREATE TABLE IF NOT EXISTS hive\.it_one\.pins \(/);
  assert.match(table!, /external_location = 's3:\/\/my-bucket\/curated'/);
  assert.match(table!, /partitioned_by = ARRAY\['dt'\]/);
  assert.equal(sync, "CALL hive.system.sync_partition_metadata('it_one', 'pins', 'FULL')");
});

Deno.test("[trino_curated] the table lists the cleaned columns in order, then dt as a DATE", () => {
  const table = curatedTableStatements({ bucket: "pinterest-pipeline" })[1]!;
  const body = /\(\n([\s\S]*?)\n\)/.exec(table)?.[1] ?? "";
  const columns = body.split(",\n").map((line) => line.trim().split(" ")[0]);
  assert.deepEqual(columns, [...CLEAN_COLUMN_NAMES, "dt"]);
  assert.match(body, /event_time timestamp\(3\),/);
  assert.match(body, /tag_list array\(varchar\),/);
  assert.match(body, /dt date$/);
});

Deno.test("[trino_curated] rejects names that would be spliced into SQL", async (t) => {
  for (
    const options of [
      { schema: "x; DROP SCHEMA y", bucket: "ok-bucket" },
      { schema: "Curated", bucket: "ok-bucket" },
      { catalog: "hive.x", bucket: "ok-bucket" },
      { bucket: "bad'bucket" },
      { bucket: "b" },
    ]
  ) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => curatedTableStatements(options), RangeError);
    });
  }
});

Deno.test("[trino_curated] ops/trino/sql/curated_pins.sql is the script for compose's bucket", async () => {
  const committed = await Deno.readTextFile(
    new URL("../../ops/trino/sql/curated_pins.sql", import.meta.url),
  );
  assert.equal(committed, curatedTableScript({ bucket: "pinterest-pipeline" }));
});
