import assert from "node:assert/strict";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { queryArchive } from "../../lib/query/query_runner.ts";
import { formatCsv } from "../../lib/runtime/table.ts";
import { buildDataset, writeRaw } from "./batch_fixture.ts";

const silent = createLogger({ level: "silent" });

Deno.test("[query] SQL over the raw zone and the curated Parquet of a local archive", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "query-" });
  const store = createLocalStore({ dir: `${dir}/archive` });
  const history = await createEmbeddedHistory({ path: `${dir}/history.duckdb` });
  try {
    await store.ensureBucket();
    const files = () => mirrorArchive(store, `${dir}/cache`, { logger: silent });
    await t.step("an empty archive has no views and still answers plain SQL", async () => {
      const result = await queryArchive(await files(), "SELECT 41 + 1 AS answer");
      assert.deepEqual(result, { columns: ["answer"], rows: [[42]], views: [] });
    });
    const dataset = buildDataset({
      seed: 4,
      events: 3000,
      days: ["2026-11-24", "2026-11-25"],
      span: { from: new Date("2025-01-01"), to: new Date("2026-11-01") },
      duplicateRate: 0,
      invalidRate: 0,
    });
    await writeRaw(store, dataset);
    await history.migrate();
    await runBatch({ store, history, logger: silent });
    await t.step("pins_raw holds every line, with its dt partition", async () => {
      const result = await queryArchive(
        await files(),
        "SELECT dt, count(*) AS n FROM pins_raw GROUP BY 1 ORDER BY 1",
      );
      assert.deepEqual(result.views, ["pins_raw", "pins"]);
      assert.deepEqual(result.rows, [...dataset].map(([day, lines]) => [day, lines.length]));
    });
    await t.step("pins holds the cleaned rows", async () => {
      const result = await queryArchive(
        await files(),
        "SELECT count(*) AS n, count(*) FILTER (WHERE title = 'No Title Data Available') AS sentinels FROM pins",
      );
      assert.deepEqual(result.rows, [[3000, 0]]);
      const lists = await queryArchive(
        await files(),
        "SELECT tag_list FROM pins WHERE tag_list IS NOT NULL LIMIT 1",
      );
      assert.ok(Array.isArray(lists.rows[0]![0]));
    });
    await t.step("bad SQL fails with the engine's message", async () => {
      await assert.rejects(queryArchive(await files(), "SELECT nope FROM pins"), /nope/);
    });
    await t.step("CSV quotes what needs quoting", () => {
      assert.equal(
        formatCsv(["a", "b"], [["x,y", null], ['say "hi"', ["l"]]]),
        'a,b\n"x,y",\n"say ""hi""","[""l""]"',
      );
    });
  } finally {
    await history.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
