import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService("cassandra", {
  name: "[cassandra] prepared writes in a fresh keyspace read back",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const keyspace = `it_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const client = new cassandra.Client({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDataCenter,
    });
    await client.connect();
    try {
      await t.step("creates a keyspace (SimpleStrategy, rf 1) and a table", async () => {
        await client.execute(
          `CREATE KEYSPACE ${keyspace} WITH replication = ` +
            `{'class': 'SimpleStrategy', 'replication_factor': 1}`,
        );
        await client.execute(
          `CREATE TABLE ${keyspace}.pins (category text, event_id uuid, title text, ` +
            `follower_count int, PRIMARY KEY ((category), event_id))`,
        );
      });

      const rows = Array.from({ length: 5 }, (_, i) => ({
        category: i % 2 === 0 ? "travel" : "art",
        eventId: cassandra.types.Uuid.random(),
        title: `pin ${i}`,
        followerCount: 1000 * i,
      }));

      await t.step("writes rows with a prepared statement", async () => {
        for (const row of rows) {
          await client.execute(
            `INSERT INTO ${keyspace}.pins (category, event_id, title, follower_count) ` +
              `VALUES (?, ?, ?, ?)`,
            [row.category, row.eventId, row.title, row.followerCount],
            { prepare: true },
          );
        }
      });

      await t.step("reads one partition back with a prepared statement", async () => {
        const result = await client.execute(
          `SELECT event_id, title, follower_count FROM ${keyspace}.pins WHERE category = ?`,
          ["travel"],
          { prepare: true },
        );
        const expected = rows.filter((row) => row.category === "travel");
        assert.equal(result.rows.length, expected.length);
        const byId = new Map(result.rows.map((row) => [row.get("event_id").toString(), row]));
        for (const row of expected) {
          const stored = byId.get(row.eventId.toString());
          assert.ok(stored, `event ${row.eventId} missing`);
          assert.equal(stored.get("title"), row.title);
          assert.equal(stored.get("follower_count"), row.followerCount);
        }
      });
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});
