import { createLocalStore } from "../../lib/archive/local_store.ts";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { openHistory } from "../../lib/history/mod.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";
import { dropKeyspace, keyspaceConfig } from "../fixtures/cassandra_keyspace.ts";
import { cassandraProbe, embeddedProbe, type HistoryProbe } from "../fixtures/history_probe.ts";
import { batchScenario } from "../fixtures/batch_scenario.ts";
import assert from "node:assert/strict";

const logger = createLogger({ level: "warn" });

await testWithService("cassandra", {
  name: "[batch] Cassandra history: aggregates, idempotency, catch-up, backfill",
  async fn(t) {
    const keyspace = `it_batch_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const dir = await Deno.makeTempDir({ prefix: "batch_cassandra_" });
    const store = createLocalStore({ dir });
    await store.ensureBucket();
    const history = await createCassandraHistory(keyspaceConfig(keyspace), logger);
    let probe: HistoryProbe | undefined;
    try {
      await history.migrate();
      await history.migrate(); // idempotent
      probe = await cassandraProbe(keyspaceConfig(keyspace));
      await batchScenario(t, store, history, probe, 3000);
    } finally {
      await probe?.close();
      await history.close();
      await store.close();
      await dropKeyspace(keyspace);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("[batch] openHistory fails with the address when the configured Cassandra does not answer", async () => {
  await assert.rejects(
    openHistory(
      { ...keyspaceConfig("unused"), contactPoints: ["127.0.0.1:1"] },
      "/nonexistent",
      logger,
    ),
    /Cannot connect to Cassandra at 127\.0\.0\.1:1/,
  );
});

await testWithService("s3", {
  name: "[batch] S3 raw zone (S3Proxy) + embedded history: aggregates, idempotency, catch-up",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const store = createS3Store({
      endpoint: endpoints.s3Endpoint,
      bucket: `it-batch-${crypto.randomUUID().slice(0, 18)}`,
      region: endpoints.s3Region,
      logger,
      credentials: {
        accessKeyId: endpoints.s3AccessKeyId,
        secretAccessKey: endpoints.s3SecretAccessKey,
      },
    });
    await store.ensureBucket();
    const dir = await Deno.makeTempDir({ prefix: "batch_s3_" });
    const history = await createEmbeddedHistory({ path: `${dir}/history.duckdb` });
    try {
      await history.migrate();
      await batchScenario(t, store, history, embeddedProbe(`${dir}/history.duckdb`), 3000);
    } finally {
      await history.close();
      for (const object of await store.list("")) await store.delete(object.key);
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
