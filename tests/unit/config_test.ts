import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../lib/runtime/config.ts";
import { recordEnvReads } from "../../lib/runtime/env_vars.ts";

Deno.test("[config] defaults select the embedded adapters", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.dataDir, "./data");
  assert.deepEqual(config.bus.brokers, []);
  assert.equal(config.bus.pinsTopic, "pins");
  assert.equal(config.bus.partitions, 6);
  assert.equal(config.bus.retentionHours, 168);
  assert.equal(config.bus.retentionBytes, 1024 ** 3);
  assert.equal(config.ingest.maxEvents, 10_000);
  assert.equal(config.ingest.maxBytes, 5 * 1024 * 1024);
  assert.equal(config.ingest.maxInFlightBytes, 16 * 1024 * 1024);
  assert.deepEqual(config.read.apiKeys, []);
  assert.equal(config.log.level, "info");
  assert.equal(config.realtime.stallSeconds, 60);
});

Deno.test("[config] reads the variables", () => {
  const config = loadConfig({
    PORT: "9001",
    KAFKA_BROKERS: "127.0.0.1:9092, kafka-2:9092",
    INGEST_API_KEYS: "k1,k2",
    READ_API_KEYS: " reader ",
    INGEST_MAX_INFLIGHT_BYTES: "67108864",
    LOG_LEVEL: "WARN",
    BUS_RETENTION_HOURS: "0",
    BUS_RETENTION_BYTES: "0",
    STREAM_STALL_SECONDS: "5",
  });
  assert.equal(config.realtime.stallSeconds, 5);
  assert.deepEqual(config.read.apiKeys, ["reader"]);
  assert.equal(config.ingest.maxInFlightBytes, 64 * 1024 * 1024);
  assert.equal(config.port, 9001);
  assert.equal(config.bus.retentionHours, 0, "0 keeps records without an age limit");
  assert.equal(config.bus.retentionBytes, 0, "0 keeps records without a size limit");
  assert.deepEqual(config.bus.brokers, ["127.0.0.1:9092", "kafka-2:9092"]);
  assert.deepEqual(config.ingest.apiKeys, ["k1", "k2"]);
  assert.equal(config.log.level, "warn");
});

Deno.test("[config] errors name the variable and its value", async (t) => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [
      { PORT: "abc" },
      "PORT",
      /Invalid PORT: expected an integer from 0 to 65535, current value is 'abc'/,
    ],
    [{ PORT: "70000" }, "PORT", /current value is '70000'/],
    [{ PINS_PARTITIONS: "0" }, "PINS_PARTITIONS", /from 1 to 1024/],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /one of debug, info, warn, error, silent/],
    [{ KAFKA_BROKERS: "localhost" }, "KAFKA_BROKERS", /host:port/],
    [{ KAFKA_BROKERS: "a:1,b:x" }, "KAFKA_BROKERS", /host:port/],
    [{ BUS_RETENTION_HOURS: "-1" }, "BUS_RETENTION_HOURS", /current value is '-1'/],
    [{ BUS_RETENTION_BYTES: "1GiB" }, "BUS_RETENTION_BYTES", /an integer from 0 to/],
    [
      { DATABASE_URL: "nonsense" },
      "DATABASE_URL",
      /Invalid DATABASE_URL: expected a URL starting with postgres:\/\/ .*'nonsense'/,
    ],
    [{ DATABASE_URL: "http://db:5432/x" }, "DATABASE_URL", /'http:\/\/db:5432\/x'/],
    [{ S3_ENDPOINT: "minio:9000" }, "S3_ENDPOINT", /starting with http:\/\/ or https:\/\//],
    [{ BATCH_SCHEDULE: "every day" }, "BATCH_SCHEDULE", /'every day': it has 2 field/],
    [{ BATCH_SCHEDULE: "0 24 * * *" }, "BATCH_SCHEDULE", /hour '24' is not in 0-23/],
    [
      { STREAM_STALL_SECONDS: "0" },
      "STREAM_STALL_SECONDS",
      /from 1 to 86400, current value is '0'/,
    ],
    [
      { INGEST_MAX_BYTES: "2048", INGEST_MAX_INFLIGHT_BYTES: "1024" },
      "INGEST_MAX_INFLIGHT_BYTES",
      /expected an integer from 2048 to .*current value is '1024'/,
    ],
  ];
  for (const [env, variable, message] of cases) {
    await t.step(JSON.stringify(env), () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, variable);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("[config] a password in a bad DATABASE_URL is not shown", () => {
  assert.throws(
    () => loadConfig({ DATABASE_URL: "postgres://pipeline:s3cret@db:99999/pipeline" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.ok(!error.message.includes("s3cret"), error.message);
      assert.match(error.message, /'postgres:\/\/pipeline:\*\*\*@db:99999\/pipeline'/);
      return true;
    },
  );
});

Deno.test("[config] accepts PostgreSQL and S3 URLs and normalises the schedule's spaces", () => {
  const config = loadConfig({
    DATABASE_URL: "postgresql://pipeline:pipeline@127.0.0.1:5432/pipeline",
    S3_ENDPOINT: "https://s3.example.com",
    BATCH_SCHEDULE: " 0  2 * * MON-FRI ",
  });
  assert.equal(
    config.realtime.databaseUrl,
    "postgresql://pipeline:pipeline@127.0.0.1:5432/pipeline",
  );
  assert.equal(config.archive.endpoint, "https://s3.example.com");
  assert.equal(config.schedule.cron, "0 2 * * MON-FRI");
});

Deno.test("[config] recordEnvReads lists every variable loadConfig reads, with its default", () => {
  const reads = recordEnvReads(loadConfig);
  const byName = new Map(reads.map((read) => [read.name, read]));
  assert.deepEqual(byName.get("PORT"), { name: "PORT", fallback: "8000" });
  assert.deepEqual(byName.get("LOG_LEVEL"), { name: "LOG_LEVEL", fallback: "info" });
  assert.deepEqual(byName.get("BATCH_SCHEDULE"), {
    name: "BATCH_SCHEDULE",
    fallback: "30 1 * * *",
  });
  assert.deepEqual(byName.get("KAFKA_BROKERS"), { name: "KAFKA_BROKERS" });
  assert.deepEqual(byName.get("DATABASE_URL"), { name: "DATABASE_URL" });
  assert.equal(byName.size, reads.length);
});

Deno.test("[config] the default cap on bytes in flight is never below one full body", () => {
  const config = loadConfig({ INGEST_MAX_BYTES: String(64 * 1024 * 1024) });
  assert.equal(config.ingest.maxInFlightBytes, 64 * 1024 * 1024);
});
