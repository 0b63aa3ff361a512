/**
 * The batch scenario run against each history adapter: catch-up, idempotent
 * re-run, changed and new days picked up by catch-up, backfill range, and
 * the curated Parquet read back.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import type { HistoryProbe } from "../fixtures/history_probe.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { curatedKey } from "../../lib/batch/raw_zone.ts";
import {
  assertMatchesTruth,
  buildDataset,
  type Dataset,
  groundTruth,
  snapshot,
  writeRaw,
} from "./batch_fixture.ts";

const DAYS = ["2026-01-01", "2026-01-02", "2026-01-03"];
const SPAN = { from: new Date("2023-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") };

/** Runs the scenario as steps of `t`; `probe` reads `history` beside its port. */
export async function batchScenario(
  t: Deno.TestContext,
  store: ObjectStore,
  history: HistoryStore,
  probe: HistoryProbe,
  events = 6000,
): Promise<void> {
  const logger = createLogger({ level: "warn" });
  const deps = { store, history, logger, memoryLimit: "512MB" };
  const dataset = buildDataset({ seed: 7, events, days: DAYS, span: SPAN });
  await writeRaw(store, dataset);
  let truth = groundTruth(dataset);

  await t.step("catch-up processes every day and matches the ground truth", async () => {
    const summary = await runBatch(deps);
    assert.equal(summary.failed, 0, JSON.stringify(summary.results));
    assert.deepEqual(summary.results.map((r) => r.day), DAYS);
    assert.ok([...truth.duplicates.values()].some((n) => n > 0), "the data set has duplicates");
    assert.ok([...truth.invalid.values()].some((n) => n > 0), "the data set has invalid lines");
    assert.ok(truth.years.length >= 3, "the data set spans years");
    await assertMatchesTruth(history, probe, truth);
  });

  const before = await snapshot(history, probe, truth);

  await t.step("catch-up again finds nothing to do", async () => {
    const summary = await runBatch(deps);
    assert.equal(summary.results.length, 0);
  });

  await t.step("re-running a day leaves exactly the same rows", async () => {
    const summary = await runBatch(deps, { days: [DAYS[1]!] });
    assert.equal(summary.failed, 0);
    assert.deepEqual(await snapshot(history, probe, truth), before);
  });

  await t.step("catch-up picks up only a changed day and a new day", async () => {
    const extra: Dataset = new Map([
      [
        DAYS[2]!,
        buildDataset({ seed: 8, events: 500, days: [DAYS[2]!], span: SPAN }).get(DAYS[2]!)!,
      ],
      [
        "2026-01-04",
        buildDataset({ seed: 9, events: 500, days: ["2026-01-04"], span: SPAN }).get("2026-01-04")!,
      ],
    ]);
    await writeRaw(store, extra, 1);
    const merged: Dataset = new Map(dataset);
    for (const [day, lines] of extra) merged.set(day, [...(merged.get(day) ?? []), ...lines]);
    truth = groundTruth(merged);
    const summary = await runBatch(deps);
    assert.equal(summary.failed, 0);
    assert.deepEqual(summary.results.map((r) => r.day), [DAYS[2], "2026-01-04"]);
    await assertMatchesTruth(history, probe, truth);
  });

  await t.step("a backfill range re-runs every day with the same result", async () => {
    const after = await snapshot(history, probe, truth);
    const summary = await runBatch(deps, { days: [...DAYS, "2026-01-04", "2026-01-05"] });
    assert.equal(summary.failed, 0);
    assert.equal(summary.results.length, 5);
    assert.deepEqual(await snapshot(history, probe, truth), after);
    await assertMatchesTruth(history, probe, truth);
  });

  await t.step("the curated Parquet holds the day's cleaned, typed rows", async () => {
    const dir = await Deno.makeTempDir({ prefix: "batch_curated_" });
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await Deno.writeFile(`${dir}/part.parquet`, await store.get(curatedKey(DAYS[0]!)));
      const reader = await connection.runAndReadAll(
        `SELECT count(*)::INT, count(DISTINCT event_id)::INT, ` +
          `(SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM read_parquet('${dir}/part.parquet'))) ` +
          `FROM read_parquet('${dir}/part.parquet')`,
      );
      const [count, distinct, schema] = reader.getRows()[0]!;
      assert.equal(count, truth.rowsOut.get(DAYS[0]!));
      assert.equal(distinct, count);
      assert.match(String(schema), /event_time TIMESTAMP/);
      assert.match(String(schema), /follower_count BIGINT/);
      assert.match(String(schema), /tag_list VARCHAR\[\]/);
      const listed = await store.list(`curated/dt=${DAYS[0]}/`);
      assert.deepEqual(listed.map((o) => o.key), [curatedKey(DAYS[0]!)]);
    } finally {
      connection.closeSync();
      instance.closeSync();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
