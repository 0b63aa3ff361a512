import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../lib/runtime/config.ts";

Deno.test("[config] defaults select the embedded adapters", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8000);
  assert.equal(config.dataDir, "./data");
  assert.deepEqual(config.bus.brokers, []);
  assert.equal(config.bus.pinsTopic, "pins");
  assert.equal(config.bus.partitions, 6);
  assert.equal(config.ingest.maxEvents, 10_000);
  assert.equal(config.ingest.maxBytes, 5 * 1024 * 1024);
  assert.equal(config.ingest.maxInFlightBytes, 16 * 1024 * 1024);
  assert.deepEqual(config.read.apiKeys, []);
  assert.equal(config.log.level, "info");
});

Deno.test("[config] reads the variables", () => {
  const config = loadConfig({
    PORT: "9001",
    KAFKA_BROKERS: "127.0.0.1:9092, kafka-2:9092",
    INGEST_API_KEYS: "k1,k2",
    READ_API_KEYS: " reader ",
    INGEST_MAX_INFLIGHT_BYTES: "67108864",
    LOG_LEVEL: "WARN",
  });
  assert.deepEqual(config.read.apiKeys, ["reader"]);
  assert.equal(config.ingest.maxInFlightBytes, 64 * 1024 * 1024);
  assert.equal(config.port, 9001);
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

Deno.test("[config] the default cap on bytes in flight is never below one full body", () => {
  const config = loadConfig({ INGEST_MAX_BYTES: String(64 * 1024 * 1024) });
  assert.equal(config.ingest.maxInFlightBytes, 64 * 1024 * 1024);
});
