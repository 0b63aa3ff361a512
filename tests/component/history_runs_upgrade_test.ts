import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { EMBEDDED_MIGRATIONS } from "../../lib/history/_embedded_schema.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { assertRunsUpgrade, OLD_RUN } from "../fixtures/run_upgrade.ts";

Deno.test("[history:embedded] migrating a store at version 3 adds batch_runs.nulled and keeps its runs and aggregates", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "history-upgrade-" });
  const path = `${dir}/history.duckdb`;
  try {
    const instance = await DuckDBInstance.create(path);
    const db = await instance.connect();
    await db.run(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)",
    );
    for (const [version, description, sql] of EMBEDDED_MIGRATIONS.filter(([v]) => v <= 3)) {
      for (const statement of sql.split(";")) await db.run(statement);
      await db.run("INSERT INTO schema_migrations VALUES ($1, $2, now())", [version, description]);
    }
    const values = OLD_RUN.values.map((v) => v instanceof Date ? v.toISOString().slice(0, -1) : v);
    await db.run(
      "INSERT INTO batch_runs VALUES ($1::DATE, $2, $3, $4, $5, $6, $7, $8, $9, $10::TIMESTAMP, $11)",
      values as string[],
    );
    await db.run("INSERT INTO day_categories VALUES ('2024-03-01', '2024-02-29', 'travel', 7)");
    db.closeSync();
    instance.closeSync();

    const history = await createEmbeddedHistory({ path });
    try {
      await assertRunsUpgrade(t, history);
      await t.step(
        "aggregates written before the upgrade are read, and replaced whole",
        async () => {
          assert.deepEqual(await history.categoriesByYear(2024), [{ category: "travel", pins: 7 }]);
          const aggregates = `${dir}/aggregates.parquet`;
          const copy = await DuckDBInstance.create(":memory:");
          const c = await copy.connect();
          await c.run(
            `COPY (SELECT 'categories' AS kind, DATE '2024-02-29' AS event_date, 'travel' AS category, ` +
              `NULL::VARCHAR AS media_type, NULL::VARCHAR AS poster_name, 3::BIGINT AS pins, ` +
              `NULL::BIGINT AS follower_count) TO '${aggregates}' (FORMAT parquet)`,
          );
          c.closeSync();
          copy.closeSync();
          const day = {
            parquetPath: aggregates,
            records: () => Promise.reject(new Error("unused")),
          };
          await history.writeAggregates("2024-03-01", day);
          await history.writeAggregates("2024-03-01", day);
          assert.deepEqual(await history.categoriesByYear(2024), [{ category: "travel", pins: 3 }]);
        },
      );
    } finally {
      await history.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
