/**
 * The edge on a real PostgreSQL that goes down and then hangs (a proxy in
 * front of the harness's server cuts it off; the server itself keeps
 * running): `/health` still answers within about a second and says which
 * check failed, `/realtime/*` answers 503 with `Retry-After`, and both
 * recover when the database comes back.
 */

import assert from "node:assert/strict";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { buildEdge } from "../fixtures/edge_harness.ts";
import { withFreshDatabase } from "../fixtures/fresh_database.ts";
import { startTcpProxy } from "../fixtures/tcp_proxy.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

async function timed(request: Response | Promise<Response>) {
  const started = performance.now();
  const response = await request;
  return { response, body: await response.json(), ms: performance.now() - started };
}

await testWithService("postgres", {
  name:
    "[edge+postgres] with PostgreSQL down or hung, /health answers within ~1 s and reads are 503s",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await withFreshDatabase(async (url) => {
      const server = new URL(serviceEndpoints().databaseUrl);
      const proxy = startTcpProxy({ hostname: server.hostname, port: Number(server.port || 5432) });
      const proxied = new URL(url);
      proxied.hostname = "127.0.0.1";
      proxied.port = String(proxy.port);
      const dir = await Deno.makeTempDir({ prefix: "edge-pg-outage-" });
      const logger = createLogger({ level: "silent" });
      const bus = await createEmbeddedBus({ dir, logger });
      const store = createSqlRealtimeStore(
        await createPostgresClient(proxied.toString()),
        "postgres",
        `127.0.0.1:${proxy.port}`,
      );
      const { app, ingestor } = buildEdge(bus, { pins: "pins", dlq: "pins.dlq" }, {}, {
        realtime: store,
        readTimeoutMs: 1500,
      });
      const get = (path: string) => timed(app.request(`http://edge${path}`));
      try {
        await store.migrate();
        await t.step("up", async () => {
          assert.equal((await get("/health")).response.status, 200);
          assert.equal((await get("/realtime/summary")).response.status, 200);
        });
        await t.step("down: connections refused", async () => {
          proxy.setMode("refuse");
          const health = await get("/health");
          assert.equal(health.response.status, 503);
          assert.ok(health.ms < 1300, `/health took ${health.ms} ms`);
          assert.equal(health.body.checks.realtime.ok, false);
          assert.equal(health.body.checks.bus.ok, true);
          const read = await get("/realtime/summary");
          assert.equal(read.response.status, 503, JSON.stringify(read.body));
          assert.equal(read.response.headers.get("retry-after"), "5");
        });
        await t.step("hung: connections accepted, never answered", async () => {
          proxy.setMode("silent");
          const health = await get("/health");
          assert.equal(health.response.status, 503);
          assert.ok(health.ms < 1300, `/health took ${health.ms} ms`);
          assert.equal(health.body.checks.realtime.detail, "no answer within 1000 ms");
          const read = await get("/realtime/categories");
          assert.equal(read.response.status, 503, JSON.stringify(read.body));
          assert.ok(read.ms < 3000, `the read took ${read.ms} ms`);
        });
        await t.step("back", async () => {
          proxy.setMode("forward");
          let status = 0;
          for (let i = 0; i < 50 && status !== 200; i++) {
            status = (await get("/health")).response.status;
            if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
          }
          assert.equal(status, 200);
          assert.equal((await get("/realtime/summary")).response.status, 200);
        });
      } finally {
        await ingestor.close();
        proxy.setMode("forward");
        await store.close().catch(() => {});
        proxy.close();
        await bus.close();
        await Deno.remove(dir, { recursive: true });
      }
    });
  },
});
