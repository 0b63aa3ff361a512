import cassandra from "cassandra-driver";
import { CASSANDRA_MIGRATIONS } from "../../lib/history/_cassandra_schema.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";
import { assertRunsUpgrade, OLD_RUN } from "../fixtures/run_upgrade.ts";

await testWithService("cassandra", {
  name:
    "[history:cassandra] migrating a keyspace at version 3 adds batch_runs.nulled and keeps its runs",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const keyspace = `it_upgrade_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const client = new cassandra.Client({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDataCenter,
    });
    await client.connect();
    try {
      const replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
      await client.execute(`CREATE KEYSPACE ${keyspace} WITH replication = ${replication}`);
      await client.execute(
        `CREATE TABLE ${keyspace}.schema_migrations (version int PRIMARY KEY, description text, applied_at timestamp)`,
      );
      for (const [version, description, statements] of CASSANDRA_MIGRATIONS) {
        if (version > 3) continue;
        for (const statement of statements) {
          await client.execute(
            statement.replace("TABLE IF NOT EXISTS ", `TABLE IF NOT EXISTS ${keyspace}.`),
          );
        }
        await client.execute(
          `INSERT INTO ${keyspace}.schema_migrations (version, description, applied_at) VALUES (?, ?, ?)`,
          [version, description, new Date()],
          { prepare: true },
        );
      }
      await client.execute(
        `INSERT INTO ${keyspace}.batch_runs (day, status, inputs, rows_in, valid, invalid, ` +
          `duplicates, rows_out, duration_ms, finished_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [...OLD_RUN.values],
        { prepare: true },
      );
      const history = await createCassandraHistory({
        contactPoints: endpoints.cassandraContactPoints,
        keyspace,
        localDataCenter: endpoints.cassandraLocalDataCenter,
        replication,
      }, createLogger({ level: "warn" }));
      try {
        await assertRunsUpgrade(t, history);
      } finally {
        await history.close();
      }
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => {});
      await client.shutdown();
    }
  },
});
