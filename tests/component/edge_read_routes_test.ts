/**
 * The edge app's read side on the embedded bus: read keys, `/health`
 * bounded per check, store outages answered 503 rather than 500.
 */

import assert from "node:assert/strict";
import type { Bus } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { loadDashboardAssets } from "../../edge/dashboard/dashboard_assets.ts";
import type { HistoryReader } from "../../edge/history_routes.ts";
import type { DashboardHistory } from "../../edge/dashboard/dashboard_state.ts";
import { buildEdge, type ExtraDeps } from "../fixtures/edge_harness.ts";

const TOPICS = { pins: "pins", dlq: "pins.dlq" };

async function withEdge(
  extra: ExtraDeps,
  fn: (app: ReturnType<typeof buildEdge>["app"]) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "edge-read-" });
  const bus: Bus = await createEmbeddedBus({ dir, logger: createLogger({ level: "silent" }) });
  const { app, ingestor } = buildEdge(bus, TOPICS, {}, extra);
  try {
    await bus.ensureTopics([{ name: TOPICS.pins, partitions: 1 }, {
      name: TOPICS.dlq,
      partitions: 1,
    }]);
    await fn(app);
  } finally {
    await ingestor.close();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A real-time store whose every read does what `read` does. */
function realtimeStub(
  read: () => Promise<never>,
  health: RealtimeStore["health"] = read,
): RealtimeStore {
  return {
    kind: "postgres",
    address: "db:5432",
    migrate: read,
    offsets: read,
    apply: read,
    retain: read,
    topProfiles: () => Promise.resolve([]),
    categories: read,
    summary: read,
    series: read,
    freshness: read,
    health,
    close: () => Promise.resolve(),
  };
}

/** A history store whose every read does what `read` does. */
function historyStub(read: () => Promise<never>): HistoryReader & DashboardHistory {
  return {
    categoriesByYear: read,
    topCategory: read,
    mediaByYear: read,
    topProfiles: read,
    yearsAvailable: () => Promise.resolve([]),
    runs: read,
    lastRun: () => Promise.resolve(null),
  };
}

const refused = () =>
  Promise.reject(Object.assign(new Error("connect ECONNREFUSED 10.0.0.9:5432"), {
    code: "ECONNREFUSED",
  }));
const noHost = () =>
  Promise.reject(Object.assign(new Error("All host(s) tried for query failed"), {
    name: "NoHostAvailableError",
  }));
const never = () => new Promise<never>(() => {});

Deno.test("[edge] READ_API_KEYS protects the dashboard, /realtime and /history; /health, /metrics and /openapi.json stay open", async () => {
  const dashboard = await loadDashboardAssets();
  await withEdge({
    readKeys: ["reader"],
    realtime: realtimeStub(refused, () => Promise.resolve({ ok: true, detail: "up" })),
    history: historyStub(refused),
    dashboard,
  }, async (app) => {
    for (const path of ["/", "/dashboard/state", "/realtime/profiles/top", "/history/years"]) {
      const response = await app.request(`http://edge${path}`);
      assert.equal(response.status, 401, path);
      assert.match(response.headers.get("www-authenticate") ?? "", /^Basic realm=/);
      assert.equal((await response.json()).problems[0].path, "Authorization");
      const withKey = await app.request(`http://edge${path}`, {
        headers: { authorization: `Basic ${btoa("anyone:reader")}` },
      });
      assert.equal(withKey.status, 200, path);
      await withKey.body?.cancel();
    }
    for (const path of ["/health", "/metrics", "/openapi.json"]) {
      const response = await app.request(`http://edge${path}`);
      assert.equal(response.status, 200, path);
      await response.body?.cancel();
    }
  });
});

Deno.test("[edge] /health bounds each check to 1 s and runs the checks it is given", async () => {
  await withEdge({
    realtime: realtimeStub(refused, never),
    healthChecks: {
      stream: () => Promise.resolve({ ok: true, detail: "consuming", kind: "job" }),
      broken: () => Promise.reject(new Error("stalled for 90 s")),
    },
  }, async (app) => {
    const started = performance.now();
    const response = await app.request("http://edge/health");
    const took = performance.now() - started;
    assert.equal(response.status, 503);
    assert.ok(took >= 990 && took < 1500, `took ${took} ms`);
    const body = await response.json();
    assert.equal(body.status, "degraded");
    assert.deepEqual(body.checks.realtime, { ok: false, detail: "no answer within 1000 ms" });
    assert.deepEqual(body.checks.stream, { ok: true, detail: "consuming", kind: "job" });
    assert.deepEqual(body.checks.broken, { ok: false, detail: "stalled for 90 s" });
    assert.equal(body.checks.bus.ok, true);
  });
});

Deno.test("[edge] a store that is down or silent makes /realtime and /history answer 503 with Retry-After, not 500", async (t) => {
  await withEdge({
    realtime: realtimeStub(refused),
    history: historyStub(noHost),
  }, async (app) => {
    for (const path of ["/realtime/summary", "/realtime/categories", "/history/categories"]) {
      await t.step(`${path}, down`, async () => {
        const response = await app.request(`http://edge${path}`);
        assert.equal(response.status, 503);
        assert.equal(response.headers.get("retry-after"), "5");
        const body = await response.json();
        assert.match(body.error, /did not answer; retry later/);
        assert.ok(!body.error.includes("10.0.0.9"), "no internal address in the answer");
      });
    }
  });
  await withEdge({
    realtime: realtimeStub(never),
    history: historyStub(never),
    readTimeoutMs: 200,
  }, async (app) => {
    for (const path of ["/realtime/summary", "/history/media"]) {
      await t.step(`${path}, silent`, async () => {
        const started = performance.now();
        const response = await app.request(`http://edge${path}`);
        assert.equal(response.status, 503);
        assert.equal(response.headers.get("retry-after"), "5");
        assert.match((await response.json()).error, /did not answer within 200 ms/);
        assert.ok(performance.now() - started < 1000);
      });
    }
  });
});
