import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createStallWatch } from "../../lib/stream/stall_watch.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";

async function gauge(registry: Registry, name: string): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric(name)!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.partition), v.value]));
}

function setup(stallSeconds = 60) {
  const registry = new Registry();
  const metrics = createStreamMetrics(registry);
  const clock = { ms: Date.parse("2026-11-26T10:00:00Z") };
  const watch = createStallWatch(metrics, { stallSeconds, now: () => clock.ms });
  return { registry, watch, clock };
}

const STALLED = "pipeline_stream_partition_stalled";
const LAG = "pipeline_stream_consumer_lag_records";

Deno.test("[stream] a partition with records waiting and no commit for the stall period is stalled", async () => {
  const { registry, watch, clock } = setup();
  watch.fetched(2, 150, 100);
  watch.failed(2, new Error("connect ECONNREFUSED 127.0.0.1:5432"));
  clock.ms += 59_999;
  watch.refresh();
  assert.deepEqual(await gauge(registry, STALLED), { "2": 0 });
  assert.ok(watch.health().ok);
  clock.ms += 1;
  const health = watch.health();
  assert.equal(health.ok, false);
  assert.equal(
    health.detail,
    "partition 2 stalled: 50 records waiting, nothing committed for 60 s; " +
      "last error: connect ECONNREFUSED 127.0.0.1:5432",
  );
  assert.deepEqual(await gauge(registry, STALLED), { "2": 1 });
  assert.deepEqual(await gauge(registry, LAG), { "2": 50 }, "the lag stays truthful");
  watch.fetched(2, 180, 100);
  assert.deepEqual(await gauge(registry, LAG), { "2": 80 }, "a refetch updates the lag");
  watch.committed(2, 180, 180);
  assert.deepEqual(await gauge(registry, STALLED), { "2": 0 });
  assert.deepEqual(await gauge(registry, LAG), { "2": 0 });
  assert.deepEqual(watch.health(), { ok: true, detail: "1 partition(s), 0 records waiting" });
});

Deno.test("[stream] a caught-up partition is not stalled however long it idles, nor when records arrive", async () => {
  const { registry, watch, clock } = setup(5);
  watch.fetched(0, 10, 0);
  watch.committed(0, 10, 10);
  clock.ms += 3_600_000;
  watch.refresh();
  assert.deepEqual(await gauge(registry, STALLED), { "0": 0 });
  watch.fetched(0, 20, 10);
  assert.ok(watch.health().ok, "new records after an idle hour are not a stall");
  clock.ms += 5000;
  assert.equal(watch.health().ok, false);
});

Deno.test("[stream] partitions taken away by a rebalance leave the gauges", async () => {
  const { registry, watch, clock } = setup(1);
  watch.fetched(0, 10, 0);
  watch.fetched(1, 10, 0);
  clock.ms += 2000;
  assert.equal(watch.health().ok, false);
  watch.assigned([1]);
  assert.deepEqual(Object.keys(await gauge(registry, STALLED)), ["1"]);
  assert.deepEqual(Object.keys(await gauge(registry, LAG)), ["1"]);
  assert.match(watch.health().detail, /^partition 1 stalled/);
});
