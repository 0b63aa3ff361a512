import assert from "node:assert/strict";
import { createHealthReader, histogramQuantile } from "../../edge/dashboard/pipeline_health.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";

Deno.test("[dashboard] histogramQuantile interpolates inside the bucket as Prometheus does", () => {
  const bounds = [0.1, 0.5, 1, Infinity];
  const near = (actual: number | null, expected: number) =>
    assert.ok(Math.abs(actual! - expected) < 1e-9, `${actual} is not ${expected}`);
  assert.equal(histogramQuantile(bounds, [0, 0, 0, 0], 0.5), null);
  near(histogramQuantile(bounds, [10, 10, 10, 10], 0.5), 0.05);
  near(histogramQuantile(bounds, [0, 10, 10, 10], 0.5), 0.3);
  assert.equal(histogramQuantile(bounds, [0, 0, 0, 4], 0.95), 1, "+Inf gives the highest bound");
  near(histogramQuantile(bounds, [50, 90, 100, 100], 0.95), 0.75);
});

Deno.test("[dashboard] pipeline health reads the registry: n/a without the stream job, values with it", async (t) => {
  await t.step("an edge alone holds neither lag nor freshness", async () => {
    const registry = createProcessRegistry();
    createEdgeMetrics(registry).deadLetters.inc(2);
    assert.deepEqual(await createHealthReader(registry)(), {
      consumer_lag: null,
      freshness: null,
    });
  });
  await t.step("nothing at all reads as null", async () => {
    const { Registry } = await import("prom-client");
    assert.deepEqual(await createHealthReader(new Registry())(), {
      consumer_lag: null,
      freshness: null,
    });
  });
  await t.step("with the stream job: lag per partition, recent freshness", async () => {
    const registry = createProcessRegistry();
    const stream = createStreamMetrics(registry);
    let time = 1_000_000;
    const read = createHealthReader(registry, () => time);
    stream.lag.set({ partition: "0" }, 5);
    stream.lag.set({ partition: "1" }, 7);
    for (let i = 0; i < 100; i++) stream.freshness.observe(20);
    const first = await read();
    assert.deepEqual(first.consumer_lag, { total: 12, partitions: { "0": 5, "1": 7 } });
    assert.equal(first.freshness?.over_seconds, null, "one snapshot: since the start");
    assert.equal(first.freshness?.observations, 100);
    assert.ok(first.freshness!.p50_seconds > 10);

    // A minute later, recent events are fresh: the old slow ones no longer count.
    time += 30_000;
    for (let i = 0; i < 50; i++) stream.freshness.observe(0.04);
    const recent = await read();
    assert.equal(recent.freshness?.observations, 50);
    assert.equal(recent.freshness?.over_seconds, 30);
    assert.ok(recent.freshness!.p95_seconds <= 0.05, `${recent.freshness!.p95_seconds}`);
  });
});
