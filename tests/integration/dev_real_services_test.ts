import assert from "node:assert/strict";
import cassandra from "cassandra-driver";
import { loadConfig } from "../../lib/runtime/config.ts";
import { openHistory } from "../../lib/history/mod.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropBucket, dropTopic } from "../fixtures/archive_objects.ts";
import { freePort, readmeBlock, runShell as run } from "../fixtures/commands.ts";
import { withFreshDatabase } from "../fixtures/fresh_database.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { REPO_ROOT } from "../services/paths.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService(["kafka", "postgres", "s3", "cassandra"], {
  name:
    "[readme] deno task dev on the real services: Kafka, PostgreSQL, S3 and Cassandra, then the batch",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const block = readmeBlock("deno task services up\nKAFKA_BROKERS=");
    const [servicesUp, ...devLines] = block.trim().split("\n");
    const id = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
    await withFreshDatabase(async (databaseUrl) => {
      const devCommand = devLines.join("\n").replaceAll("\\\n", " ")
        .replace(serviceEndpoints().databaseUrl, databaseUrl);
      assert.notEqual(
        devCommand.indexOf(databaseUrl),
        -1,
        "the README's DATABASE_URL is not the harness's",
      );
      const dataDir = await Deno.makeTempDir({ prefix: "dev-real-" });
      const port = freePort();
      const env = {
        PORT: String(port),
        HOST: "127.0.0.1",
        PIPELINE_DATA_DIR: dataDir,
        LOG_LEVEL: "warn",
        PINS_TOPIC: `pins-dev-${id}`,
        DLQ_TOPIC: `dlq-dev-${id}`,
        STREAM_GROUP: `realtime-${id}`,
        ARCHIVE_GROUP: `archive-${id}`,
        S3_BUCKET: `dev-${id}`,
        CASSANDRA_KEYSPACE: `dev_${id}`,
        ARCHIVE_FLUSH_SECONDS: "2",
      };
      const url = `http://127.0.0.1:${port}`;
      try {
        await t.step("the README's services line", async () => {
          assert.equal((await run(servicesUp!, env)).code, 0);
        });
        const dev = new Deno.Command("bash", {
          args: ["-c", `exec env ${devCommand}`],
          cwd: REPO_ROOT,
          env,
          stdout: "piped",
          stderr: "inherit",
        }).spawn();
        try {
          await t.step("dev starts on the real services and says so", async () => {
            const deadline = Date.now() + 90_000;
            while (
              !(await fetch(`${url}/health`).then(async (r) => (await r.body?.cancel(), r.ok))
                .catch(() => false))
            ) {
              assert.ok(Date.now() < deadline, "dev did not answer within 90 s");
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
            const health = await (await fetch(`${url}/health`)).json();
            assert.equal(health.checks.bus.kind, "kafka");
            assert.equal(health.checks.realtime.kind, "postgres");
          });
          await t.step("events flow into the real-time views in PostgreSQL", async () => {
            const { code, stdout } = await run(
              `deno task emulate --count 2000 --batch 250 --url ${url}`,
              env,
            );
            assert.equal(code, 0, stdout);
            const deadline = Date.now() + 60_000;
            for (;;) {
              const summary = await (await fetch(`${url}/realtime/summary?window=1h`)).json();
              if (summary.events === 2000) break;
              assert.ok(Date.now() < deadline, `the stream counted ${summary.events} of 2000`);
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
          });
          await t.step("the archiver writes the events to S3", async () => {
            const deadline = Date.now() + 60_000;
            for (;;) {
              const metrics = await (await fetch(`${url}/metrics`)).text();
              const archived = Number(
                /^pipeline_archive_records_total (\d+)/m.exec(metrics)?.[1] ?? 0,
              );
              if (archived >= 2000) break;
              assert.ok(Date.now() < deadline, `the archiver wrote ${archived} of 2000 records`);
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
          });
          await t.step("Ctrl-C stops it cleanly", async () => {
            dev.kill("SIGINT");
            assert.equal((await dev.status).code, 0);
          });
        } finally {
          try {
            dev.kill("SIGKILL");
          } catch {
            // Already stopped.
          }
          await dev.status;
          await dev.stdout.cancel();
        }
        const realEnv = Object.fromEntries(
          [...devCommand.matchAll(/([A-Z][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
        );
        await t.step("deno task batch loads the S3 archive into Cassandra", async () => {
          const { code, stderr } = await run("deno task batch", { ...env, ...realEnv });
          assert.equal(code, 0, stderr);
          const config = loadConfig({ ...env, ...realEnv });
          const history = await openHistory(
            config.history,
            dataDir,
            createLogger({ level: "silent" }),
          );
          try {
            const year = new Date().getUTCFullYear();
            const pins = (await history.categoriesByYear(year)).reduce((n, row) => n + row.pins, 0);
            assert.equal(pins, 2000);
          } finally {
            await history.close();
          }
        });
        await t.step("deno task query reads the curated zone from S3", async () => {
          const { code, stdout, stderr } = await run(
            `deno task query --format json "SELECT count(*) AS n FROM pins"`,
            { ...env, ...realEnv },
          );
          assert.equal(code, 0, stderr);
          assert.deepEqual(JSON.parse(stdout), [{ n: 2000 }]);
        });
      } finally {
        const client = new cassandra.Client({
          contactPoints: serviceEndpoints().cassandraContactPoints,
          localDataCenter: serviceEndpoints().cassandraLocalDataCenter,
        });
        await client.execute(`DROP KEYSPACE IF EXISTS dev_${id}`).catch(() => {});
        await client.shutdown();
        await dropBucket(`dev-${id}`).catch(() => {});
        await dropTopic(`pins-dev-${id}`).catch(() => {});
        await dropTopic(`dlq-dev-${id}`).catch(() => {});
        await Deno.remove(dataDir, { recursive: true });
      }
    });
  },
});
