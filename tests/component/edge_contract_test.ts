/**
 * The edge app's contract on the embedded bus: 405 for undeclared methods,
 * and the OpenAPI document against what the routes enforce.
 */

import assert from "node:assert/strict";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { validatePinEvent } from "../../lib/pin/pin_event.ts";
import { buildEdge } from "../fixtures/edge_harness.ts";
import { seedPin } from "../fixtures/seed_pins.ts";

async function withEdge(fn: (app: ReturnType<typeof buildEdge>["app"]) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "edge-contract-" });
  const bus = await createEmbeddedBus({ dir, logger: createLogger({ level: "silent" }) });
  const realtime = createSqlRealtimeStore(
    await createPgliteClient("memory://"),
    "embedded",
    "memory",
  );
  await realtime.migrate();
  const { app, ingestor } = buildEdge(bus, { pins: "pins", dlq: "pins.dlq" }, {}, { realtime });
  try {
    await fn(app);
  } finally {
    await ingestor.close();
    await realtime.close();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[edge] an undeclared method on a declared path is a JSON 405 with Allow", async () => {
  await withEdge(async (app) => {
    for (
      const [method, path, allow] of [
        ["GET", "/pins", "POST"],
        ["PUT", "/pin/", "POST"],
        ["DELETE", "/pin", "POST"],
        ["POST", "/health", "GET, HEAD"],
        ["PATCH", "/realtime/summary", "GET, HEAD"],
        ["POST", "/openapi.json", "GET, HEAD"],
      ]
    ) {
      const response = await app.request(`http://edge${path}`, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get("allow"), allow);
      const body = await response.json();
      assert.match(body.error, new RegExp(`Method ${method} is not allowed on ${path}`));
    }
    assert.equal((await app.request("http://edge/nowhere")).status, 404);
  });
});

Deno.test("[edge] the OpenAPI document states what the routes enforce", async (t) => {
  await withEdge(async (app) => {
    const doc = await (await app.request("http://edge/openapi.json")).json();
    await t.step("both ingest paths, every status", () => {
      for (const path of ["/pin/", "/pin", "/pins"]) {
        assert.deepEqual(Object.keys(doc.paths[path].post.responses).sort(), [
          "200",
          "400",
          "401",
          "413",
          "415",
          "422",
          "429",
          "503",
        ]);
      }
      for (const path of ["/realtime/summary", "/history/years", "/history/profiles/top"]) {
        for (const status of ["200", "401", "503"]) {
          assert.ok(doc.paths[path].get.responses[status], `${path} ${status}`);
        }
      }
    });
    await t.step("event_id and the category parameter are non-empty", () => {
      assert.equal(doc.components.schemas.Pin.properties.event_id.minLength, 1);
      const [category] = doc.paths["/history/profiles/top"].get.parameters;
      assert.equal(category.schema.minLength, 1);
    });
    await t.step("an event_time the pattern admits is one the validator accepts", () => {
      const pattern = new RegExp(doc.components.schemas.Pin.properties.event_time.pattern);
      for (
        const time of [
          "2026-11-26T10:15:00Z",
          "0002-01-01T00:00:00+23:59",
          "9998-12-31T23:59:59.123456789-23:59",
          "2024-02-31T00:00:00Z",
        ]
      ) {
        assert.ok(pattern.test(time), time);
        assert.ok(validatePinEvent({ ...seedPin(), event_time: time }).ok, time);
      }
      for (const time of ["0000-01-01T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T10:00Z"]) {
        assert.ok(!pattern.test(time), time);
      }
    });
    await t.step("the window pattern is the one the route enforces, at most 30d", async () => {
      const pattern = new RegExp(
        doc.paths["/realtime/summary"].get.parameters[0].schema.pattern,
      );
      for (const window of ["1m", "43200m", "720h", "30d", "15m", "7d"]) {
        assert.ok(pattern.test(window), window);
      }
      for (const window of ["0m", "43201m", "721h", "31d", "999999m", "1w", "01h", ""]) {
        assert.ok(!pattern.test(window), window);
        const response = await app.request(`http://edge/realtime/summary?window=${window}`);
        assert.equal(response.status, 400, window);
        await response.body?.cancel();
      }
    });
  });
});
