import assert from "node:assert/strict";
import { serviceEndpoints } from "../services/endpoints.ts";
import { delay } from "../../lib/runtime/async.ts";
import {
  registerPrometheusTarget,
  unregisterPrometheusTarget,
} from "../services/prometheus_targets.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService("prometheus", {
  name: "[prometheus] scrapes a target registered through file_sd",
  async fn(t) {
    const run = crypto.randomUUID();
    const targetId = `it-${run}`;
    const metrics = [
      "# HELP pipeline_it_probe_total Events counted by the integration test.",
      "# TYPE pipeline_it_probe_total counter",
      `pipeline_it_probe_total{run="${run}"} 42`,
      "",
    ].join("\n");
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) =>
        new URL(req.url).pathname === "/metrics"
          ? new Response(metrics, { headers: { "content-type": "text/plain; version=0.0.4" } })
          : new Response("not found", { status: 404 }),
    );
    try {
      await t.step("registers the test's /metrics as a target", async () => {
        await registerPrometheusTarget(targetId, `127.0.0.1:${server.addr.port}`, {
          test: "prometheus_test",
        });
      });

      await t.step("the counter's value is queryable within 30 s", async () => {
        const query = `pipeline_it_probe_total{run="${run}",job="pipeline"}`;
        const url = `${serviceEndpoints().prometheusUrl}/api/v1/query?query=${
          encodeURIComponent(query)
        }`;
        const deadline = Date.now() + 30_000;
        let last = "";
        while (Date.now() < deadline) {
          const response = await fetch(url);
          const body = await response.json();
          last = JSON.stringify(body);
          const value = body?.data?.result?.[0]?.value?.[1];
          if (value !== undefined) {
            assert.equal(value, "42");
            assert.equal(body.data.result[0].metric.test, "prometheus_test");
            return;
          }
          await delay(500);
        }
        assert.fail(`Prometheus never returned ${query} in 30 s; last answer: ${last}`);
      });
    } finally {
      await unregisterPrometheusTarget(targetId);
      await server.shutdown();
    }
  },
});
