import { DuckDBInstance } from "@duckdb/node-api";
import { EMBEDDED_MIGRATIONS } from "../../lib/history/_embedded_schema.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { assertRunsUpgrade, OLD_RUN } from "../fixtures/run_upgrade.ts";

Deno.test("[history:embedded] migrating a store at version 3 adds batch_runs.nulled and keeps its runs", async (t) => {
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
    db.closeSync();
    instance.closeSync();

    const history = await createEmbeddedHistory({ path });
    try {
      await assertRunsUpgrade(t, history);
    } finally {
      await history.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
