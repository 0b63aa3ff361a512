import assert from "node:assert/strict";
import { realtimeRoutes } from "../../edge/realtime_routes.ts";
import { cleanPin } from "../../lib/pin/clean_pin.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { errorHandler } from "../../edge/http/http_error.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { Hono } from "hono";
import { realtimeTruth } from "../fixtures/realtime_truth.ts";

const NOW = Date.parse("2026-11-26T12:00:30Z");

Deno.test("[edge] GET /realtime/... reads the windows from the store and refuses bad parameters", async (t) => {
  const store = createSqlRealtimeStore(await createPgliteClient("memory://"), "embedded", "memory");
  try {
    await store.migrate();
    const span = { from: new Date("2026-11-26T11:00:00Z"), to: new Date("2026-11-26T12:00:00Z") };
    const next = createPinGenerator({ seed: 3, span, posters: 50 });
    const pins = Array.from({ length: 3000 }, () => {
      const event = next();
      return cleanPin({ ...event, event_id: event.event_id!, received_at: "2026-11-26T12:00:00Z" });
    });
    await store.apply({
      group: "g",
      topic: "pins",
      partition: 0,
      pins: pins.map((pin, offset) => ({ offset, pin })),
      nextOffset: 3000,
    });
    const app = new Hono().route("/realtime", realtimeRoutes(store, () => NOW));
    app.onError(
      errorHandler(createLogger({ level: "silent" }), createEdgeMetrics(createProcessRegistry())),
    );
    const get = async (path: string) => {
      const response = await app.request(`http://edge${path}`);
      return { status: response.status, body: await response.json() };
    };
    const last15 = pins.filter((p) => p.event_time >= "2026-11-26T11:45");
    await t.step("top profiles over 15 minutes", async () => {
      const { status, body } = await get("/realtime/profiles/top?window=15m&limit=3");
      assert.equal(status, 200);
      assert.deepEqual(
        body.map((r: { events: number }) => r.events),
        realtimeTruth(last15).profiles.slice(0, 3).map((r) => r.events),
      );
    });
    await t.step("categories over the default hour cover everything", async () => {
      const { body } = await get("/realtime/categories");
      assert.equal(body.reduce((n: number, r: { events: number }) => n + r.events, 0), 3000);
    });
    await t.step("summary has totals and minutes", async () => {
      const { body } = await get("/realtime/summary?window=15m");
      assert.equal(body.events, last15.length);
      assert.equal(body.minutes.length, 15);
    });
    for (
      const [query, name] of [
        ["window=15", "window"],
        ["window=31d", "window"],
        ["window=0m", "window"],
        ["window=1w", "window"],
        ["limit=0", "limit"],
        ["limit=abc", "limit"],
        ["limit=5000", "limit"],
      ]
    ) {
      await t.step(`400 for ${query}`, async () => {
        const { status, body } = await get(`/realtime/profiles/top?${query}`);
        assert.equal(status, 400);
        assert.equal(body.problems[0].path, name);
        assert.match(body.error, new RegExp(`Invalid query parameter '${name}'`));
      });
    }
  } finally {
    await store.close();
  }
});
