import assert from "node:assert/strict";
import { createHealthReader } from "../../edge/dashboard/pipeline_health.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";

Deno.test("[dashboard] pipeline health reads the registry: n/a without the stream job, values with it", async (t) => {
  await t.step("an edge alone holds no lag", async () => {
    const registry = createProcessRegistry();
    createEdgeMetrics(registry);
    assert.deepEqual(await createHealthReader(registry)(), {
      consumer_lag: null,
    });
  });
  await t.step("nothing at all reads as null", async () => {
    const { Registry } = await import("prom-client");
    assert.deepEqual(await createHealthReader(new Registry())(), {
      consumer_lag: null,
    });
  });
  await t.step("with the stream job: lag per partition", async () => {
    const registry = createProcessRegistry();
    const stream = createStreamMetrics(registry);
    stream.lag.set({ partition: "0" }, 5);
    stream.lag.set({ partition: "1" }, 7);
    assert.deepEqual(await createHealthReader(registry)(), {
      consumer_lag: { total: 12, partitions: { "0": 5, "1": 7 } },
    });
  });
});
