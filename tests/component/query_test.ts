import assert from "node:assert/strict";
import { archiveKey } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { queryArchive } from "../../lib/query/query_runner.ts";
import { formatCsv } from "../../lib/runtime/table.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";
import { buildDataset, writeRaw } from "../fixtures/batch_fixture.ts";

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

Deno.test("[query] pins_raw keeps typed columns whatever the raw lines carry", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "query-raw-" });
  const store = createLocalStore({ dir: `${dir}/archive` });
  const received = { event_id: "e", received_at: "2026-11-24T10:00:00.000Z" };
  const wide: Record<string, unknown> = { ...seedPin(), ...received, event_id: "wide" };
  for (let i = 0; i < 250; i++) wide[`extra_${i}`] = i % 2 === 0 ? { n: i } : `v${i}`;
  // Among many ordinary records, one wide record is what made schema detection fall back to a
  // single MAP column.
  const lines = Array.from(
    { length: 60 },
    (_, i) =>
      JSON.stringify({ ...fullPin(), ...received, event_id: `n${String(i).padStart(2, "0")}` }),
  );
  lines.splice(30, 0, JSON.stringify(wide));
  const malformed = [
    "not JSON at all",
    '{"poster_name": "cut short"',
    JSON.stringify({ ...fullPin(), event_id: "typed", index: "7", downloaded: 1.5, category: 3 }),
    "[1, 2, 3]",
    "null",
  ];
  try {
    await store.ensureBucket();
    const write = async (hour: string, offset: number, text: string[]) =>
      await store.put(
        archiveKey(`dt=2026-11-24/hour=${hour}`, 0, offset, offset + text.length - 1),
        await gzipBytes(new TextEncoder().encode(text.join("\n") + "\n")),
      );
    await write("10", 0, lines);
    const query = async (sql: string) =>
      await queryArchive(await mirrorArchive(store, `${dir}/cache`, { logger: silent }), sql);

    await t.step("one record with 250 unknown keys leaves the known columns typed", async () => {
      const result = await query(
        "SELECT poster_name, category, count(*) FROM pins_raw GROUP BY ALL ORDER BY 1",
      );
      assert.deepEqual(result.rows, [
        [fullPin().poster_name, fullPin().category, 60],
        [seedPin().poster_name, seedPin().category, 1],
      ]);
      const types = await query(
        "SELECT column_name, column_type FROM (DESCRIBE pins_raw) WHERE column_name IN " +
          "('index', 'poster_name', 'downloaded', 'extra', 'received_at', 'dt', 'hour') ORDER BY 1",
      );
      assert.deepEqual(types.rows, [
        ["downloaded", "BIGINT"],
        ["dt", "DATE"],
        ["extra", "JSON"],
        ["hour", "INTEGER"],
        ["index", "BIGINT"],
        ["poster_name", "VARCHAR"],
        ["received_at", "VARCHAR"],
      ]);
    });
    await t.step("the unknown keys are reachable from the JSON column extra", async () => {
      const result = await query(
        "SELECT event_id, extra ->> '$.extra_1', extra -> '$.extra_12' ->> '$.n', " +
          "json_array_length(json_keys(extra)) FROM pins_raw WHERE extra IS NOT NULL",
      );
      assert.deepEqual(result.rows, [["wide", "v1", "12", 250]]);
    });
    await t.step("lines that are not JSON or carry wrong types are NULLs, not errors", async () => {
      await write("11", 3, malformed);
      const result = await query(
        'SELECT event_id, "index", downloaded, category, poster_name, hour FROM pins_raw ' +
          "WHERE hour = 11 ORDER BY event_id NULLS LAST",
      );
      assert.deepEqual(result.rows, [
        ["typed", null, null, null, fullPin().poster_name, 11],
        [null, null, null, null, null, 11],
        [null, null, null, null, null, 11],
        [null, null, null, null, null, 11],
        [null, null, null, null, null, 11],
      ]);
      const counts = await query("SELECT hour, count(*) FROM pins_raw GROUP BY 1 ORDER BY 1");
      assert.deepEqual(counts.rows, [[10, 61], [11, 5]]);
    });
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
