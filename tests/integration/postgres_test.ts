import assert from "node:assert/strict";
import postgres from "postgres";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService("postgres", {
  name: "[postgres] a fresh schema stores rows and a failed transaction rolls back",
  async fn(t) {
    const sql = postgres(serviceEndpoints().databaseUrl, { max: 2, onnotice: () => {} });
    const schema = `it_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const table = sql(`${schema}.minute_counts`);
    try {
      await t.step("creates a schema and a table", async () => {
        await sql`CREATE SCHEMA ${sql(schema)}`;
        await sql`CREATE TABLE ${table} (
          minute timestamptz NOT NULL,
          category text NOT NULL,
          events bigint NOT NULL,
          PRIMARY KEY (minute, category))`;
      });

      await t.step("inserts and selects rows", async () => {
        const minute = new Date("2026-01-01T10:00:00Z");
        await sql`INSERT INTO ${table} ${
          sql([
            { minute, category: "travel", events: 3 },
            { minute, category: "art", events: 5 },
          ])
        }`;
        const rows = await sql<{ category: string; events: string }[]>`
          SELECT category, events FROM ${table} ORDER BY category`;
        assert.deepEqual(rows.map((row) => [row.category, Number(row.events)]), [
          ["art", 5],
          ["travel", 3],
        ]);
      });

      await t.step("a transaction that throws leaves no trace", async () => {
        await assert.rejects(
          sql.begin(async (tx) => {
            await tx`UPDATE ${table} SET events = events + 100`;
            await tx`INSERT INTO ${table} VALUES (now(), 'quotes', 1)`;
            throw new Error("abort on purpose");
          }),
          /abort on purpose/,
        );
        const [totals] = await sql<{ rows: string; events: string }[]>`
          SELECT count(*) AS rows, sum(events) AS events FROM ${table}`;
        assert.deepEqual([Number(totals!.rows), Number(totals!.events)], [2, 8]);
      });
    } finally {
      await sql`DROP SCHEMA IF EXISTS ${sql(schema)} CASCADE`.catch(() => {});
      await sql.end({ timeout: 5 });
    }
  },
});
