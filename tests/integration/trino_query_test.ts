import assert from "node:assert/strict";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { queryTrino, type TrinoOptions } from "../../lib/query/trino_client.ts";
import { curatedTableStatements } from "../../lib/query/trino_curated.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { buildDataset, groundTruth, writeRaw } from "../fixtures/batch_fixture.ts";
import { runShell } from "../fixtures/commands.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";
import { dropKeyspace } from "../fixtures/cassandra_keyspace.ts";
import { trinoMetastoreBucket } from "../services/trino_catalog_env.ts";

const logger = createLogger({ level: "warn" });
const DAYS = ["2026-02-01", "2026-02-02"];
const SPAN = { from: new Date("2023-01-01T00:00:00Z"), to: new Date("2026-02-01T00:00:00Z") };

// The seed's questions over the curated Parquet, in SQL both engines run unchanged.
const TOP_CATEGORY_PER_YEAR = `SELECT year, category, pins FROM (
  SELECT year(event_time) AS year, category, count(*) AS pins,
    row_number() OVER (PARTITION BY year(event_time) ORDER BY count(*) DESC, category) AS place
  FROM pins WHERE category IS NOT NULL GROUP BY year(event_time), category
) ranked WHERE place = 1 ORDER BY year`;
const TOP_PROFILES_PER_CATEGORY = `SELECT category, poster_name, follower_count, pins FROM (
  SELECT category, poster_name, max(follower_count) AS follower_count, count(*) AS pins,
    row_number() OVER (PARTITION BY category
      ORDER BY max(follower_count) DESC NULLS LAST, count(*) DESC, poster_name) AS place
  FROM pins WHERE category IS NOT NULL AND poster_name IS NOT NULL GROUP BY category, poster_name
) ranked WHERE place <= 3 ORDER BY category, place`;
const MEDIA_MIX =
  `SELECT media_type, count(*) AS pins FROM pins GROUP BY media_type ORDER BY media_type`;

// The same questions over the history store's aggregates in Cassandra.
const CASSANDRA_TOP_CATEGORY_PER_YEAR = `SELECT year, category, pins FROM (
  SELECT year, category, sum(pins) AS pins,
    row_number() OVER (PARTITION BY year ORDER BY sum(pins) DESC, category) AS place
  FROM year_categories GROUP BY year, category
) ranked WHERE place = 1 ORDER BY year`;
const CASSANDRA_TOP_PROFILES_PER_CATEGORY =
  `SELECT category, poster_name, follower_count, pins FROM (
  SELECT category, poster_name, follower_count, pins,
    row_number() OVER (PARTITION BY category
      ORDER BY follower_count DESC NULLS LAST, pins DESC, poster_name) AS place
  FROM category_profiles
) ranked WHERE place <= 3 ORDER BY category, place`;
const CASSANDRA_MEDIA_MIX =
  `SELECT media_type, sum(pins) AS pins FROM year_media GROUP BY media_type ORDER BY media_type`;

/** `deno task query --format json [flags...]`, as rows in column order. */
async function _queryTask(
  env: Record<string, string>,
  sql: string,
  flags = "",
): Promise<unknown[][]> {
  const command = `deno task query --format json ${flags} "$SQL"`;
  const output = await runShell(command, { ...env, SQL: sql });
  assert.equal(output.code, 0, output.stderr);
  const objects = JSON.parse(output.stdout) as Array<Record<string, unknown>>;
  return objects.map((object) => Object.values(object));
}

await testWithService(["trino", "s3", "cassandra", "postgres"], {
  name:
    "[trino] the seed's ad-hoc questions: Trino over Parquet and Cassandra agree with deno task query",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const suffix = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    const bucket = `it-trino-${suffix}`;
    const keyspace = `it_trino_${suffix}`;
    const schema = `it_trino_${suffix}`;
    const credentials = {
      accessKeyId: endpoints.s3AccessKeyId,
      secretAccessKey: endpoints.s3SecretAccessKey,
    };
    const s3 = { endpoint: endpoints.s3Endpoint, region: endpoints.s3Region, logger, credentials };
    const store = createS3Store({ ...s3, bucket });
    const metastore = createS3Store({ ...s3, bucket: trinoMetastoreBucket() });
    const history = await createCassandraHistory({
      contactPoints: endpoints.cassandraContactPoints,
      keyspace,
      localDataCenter: endpoints.cassandraLocalDataCenter,
      replication: "{'class': 'SimpleStrategy', 'replication_factor': 1}",
    }, logger);
    const dataDir = await Deno.makeTempDir({ prefix: "trino_query_" });
    const hive: TrinoOptions = { url: endpoints.trinoUrl, catalog: "hive", schema };
    const cassandraCatalog: TrinoOptions = {
      url: endpoints.trinoUrl,
      catalog: "cassandra",
      schema: keyspace,
    };
    const queryEnv = {
      PIPELINE_DATA_DIR: dataDir,
      S3_ENDPOINT: endpoints.s3Endpoint,
      S3_BUCKET: bucket,
      AWS_REGION: endpoints.s3Region,
      AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
      AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
      LOG_LEVEL: "warn",
    };
    let registered = false;
    try {
      await store.ensureBucket();
      await metastore.ensureBucket();
      await history.migrate();
      const dataset = buildDataset({ seed: 13, events: 1500, days: DAYS, span: SPAN });
      await writeRaw(store, dataset);
      const truth = groundTruth(dataset);
      const summary = await runBatch({ store, history, logger, memoryLimit: "256MB" });
      assert.equal(summary.failed, 0, JSON.stringify(summary.results));
      for (const statement of curatedTableStatements({ schema, bucket })) {
        await queryTrino(hive, statement);
        registered = true;
      }

      await t.step("the curated table holds every cleaned row of both days", async () => {
        const { rows } = await queryTrino(
          hive,
          "SELECT CAST(dt AS varchar), count(*) FROM pins GROUP BY dt ORDER BY dt",
        );
        assert.deepEqual(rows, DAYS.map((day) => [day, truth.rowsOut.get(day)]));
      });

      await t.step("most popular category per year", async () => {
        const trino = (await queryTrino(hive, TOP_CATEGORY_PER_YEAR)).rows;
        assert.ok(trino.length >= 3, `expected several years, got ${JSON.stringify(trino)}`);
        const expected = truth.years.map((year) => {
          const top = truth.categoriesByYear.get(year)![0]!;
          return [year, top.category, top.pins];
        });
        assert.deepEqual(trino, expected);
        assert.deepEqual(await _queryTask(queryEnv, TOP_CATEGORY_PER_YEAR), trino);
        assert.deepEqual(
          (await queryTrino(cassandraCatalog, CASSANDRA_TOP_CATEGORY_PER_YEAR)).rows,
          trino,
        );
        const flags = `--engine trino --trino-url ${endpoints.trinoUrl} --trino-schema ${schema}`;
        assert.deepEqual(await _queryTask(queryEnv, TOP_CATEGORY_PER_YEAR, flags), trino);
      });

      await t.step("top profiles per category", async () => {
        const trino = (await queryTrino(hive, TOP_PROFILES_PER_CATEGORY)).rows;
        assert.ok(trino.length >= 10, `expected profiles, got ${JSON.stringify(trino)}`);
        assert.deepEqual(await _queryTask(queryEnv, TOP_PROFILES_PER_CATEGORY), trino);
        assert.deepEqual(
          (await queryTrino(cassandraCatalog, CASSANDRA_TOP_PROFILES_PER_CATEGORY)).rows,
          trino,
        );
      });

      await t.step("the postgresql catalog reaches the real-time database", async () => {
        const { rows } = await queryTrino(
          hive,
          "SELECT count(*) FROM postgresql.information_schema.schemata WHERE schema_name = 'public'",
        );
        assert.deepEqual(rows, [[1]]);
      });

      await t.step("media mix", async () => {
        const trino = (await queryTrino(hive, MEDIA_MIX)).rows;
        const total = [...truth.rowsOut.values()].reduce((a, b) => a + b, 0);
        assert.equal(trino.reduce((sum, row) => sum + (row[1] as number), 0), total);
        assert.deepEqual(await _queryTask(queryEnv, MEDIA_MIX), trino);
        assert.deepEqual((await queryTrino(cassandraCatalog, CASSANDRA_MEDIA_MIX)).rows, trino);
      });
    } finally {
      if (registered) {
        await queryTrino(hive, `DROP TABLE IF EXISTS hive.${schema}.pins`);
        await queryTrino(hive, `DROP SCHEMA IF EXISTS hive.${schema}`);
      }
      await history.close();
      await dropKeyspace(keyspace);
      for (const object of await store.list("")) await store.delete(object.key);
      await store.close();
      await metastore.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
