import assert from "node:assert/strict";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";

Deno.test("[edge_metrics] requests in flight are those started and not yet observed", async () => {
  const metrics = createEdgeMetrics(createProcessRegistry());
  const inFlight = async () => (await metrics.inFlightRequests.get()).values[0]!.value;
  metrics.startRequest();
  metrics.startRequest();
  assert.equal(await inFlight(), 2);
  metrics.observeRequest("/pin/", "POST", 200, 0.001);
  assert.equal(await inFlight(), 1);
  const requests = await metrics.requests.get();
  assert.deepEqual(requests.values.map(({ labels, value }) => [labels, value]), [
    [{ route: "/pin/", method: "POST", status: "200" }, 1],
  ]);
});
