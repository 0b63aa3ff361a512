import assert from "node:assert/strict";
import { createApp } from "../../edge/app.ts";
import { loadDashboardAssets } from "../../edge/dashboard/dashboard_assets.ts";
import type { DashboardHistory, DashboardState } from "../../edge/dashboard/dashboard_state.ts";
import { openApiDocument } from "../../edge/openapi.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import type { HistoryReader } from "../../edge/history_routes.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import { createDeadLetterCounts } from "../../lib/dlq/dlq_counts.ts";
import { TEST_LIMITS } from "../fixtures/edge_harness.ts";

const silent = createLogger({ level: "silent" });
const assets = await loadDashboardAssets();

interface Dashboard {
  app: ReturnType<typeof createApp>;
  bus: Bus;
  store: RealtimeStore;
  /** Moves the edge's clock forward. */
  skip(ms: number): void;
  close(): Promise<void>;
}

async function openDashboard(
  options: { realtime?: boolean; stream?: boolean; history?: HistoryReader & DashboardHistory } =
    {},
): Promise<Dashboard> {
  const { realtime = true, stream = true, history } = options;
  const dir = await Deno.makeTempDir({ prefix: "dashboard-" });
  const bus = await createEmbeddedBus({ dir, logger: silent });
  await bus.ensureTopics([{ name: "pins", partitions: 3 }, { name: "pins.dlq", partitions: 1 }]);
  const store = createSqlRealtimeStore(await createPgliteClient("memory://"), "embedded", "memory");
  await store.migrate();
  const registry = createProcessRegistry();
  const metrics = createEdgeMetrics(registry);
  const job = stream
    ? await startStreamJob({
      bus,
      store,
      metrics: createStreamMetrics(registry),
      logger: silent,
      topic: "pins",
      dlqTopic: "pins.dlq",
    })
    : null;
  const ingestor = createIngestor({
    bus,
    pinsTopic: "pins",
    dlqTopic: "pins.dlq",
    timeoutMs: 5000,
    newId: createUuidV7(),
  });
  // A manual clock: the second the events are accepted in does not depend on how fast the host is.
  let clock = Date.now();
  const app = createApp({
    ingestor,
    bus,
    metrics,
    limits: TEST_LIMITS,
    logger: silent,
    realtime: realtime ? store : undefined,
    dashboard: assets,
    history,
    deadLetters: createDeadLetterCounts({ bus, topic: "pins.dlq", now: () => clock, refreshMs: 0 }),
    now: () => clock,
  });
  return {
    app,
    bus,
    store,
    skip(ms) {
      clock += ms;
    },
    async close() {
      await job?.stop();
      await ingestor.close();
      await store.close();
      await bus.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function stateOf(app: Dashboard["app"], window = "15m"): Promise<DashboardState> {
  const response = await app.request(`http://edge/dashboard/state?window=${window}`);
  assert.equal(response.status, 200, await response.clone().text());
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  return await response.json();
}

// A small JSON Schema walker: enough of the keywords the OpenAPI document uses to check that
// answers have the documented shape.
type Schema = Record<string, unknown>;
function assertSchema(value: unknown, schema: Schema, path = "$"): void {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.split("/").pop()!;
    const schemas = openApiDocument.components.schemas as Record<string, Schema>;
    return assertSchema(value, schemas[name]!, path);
  }
  if ("const" in schema) assert.deepEqual(value, schema.const, path);
  if (Array.isArray(schema.enum)) assert.ok(schema.enum.includes(value), `${path}: ${value}`);
  const types = schema.type === undefined ? [] : [schema.type].flat() as string[];
  const actual = value === null
    ? "null"
    : Array.isArray(value)
    ? "array"
    : Number.isInteger(value)
    ? "integer"
    : typeof value;
  if (types.length > 0) {
    assert.ok(
      types.includes(actual) || (actual === "integer" && types.includes("number")),
      `${path} is ${actual}, documented as ${types.join(" | ")}`,
    );
  }
  if (typeof schema.minimum === "number") assert.ok((value as number) >= schema.minimum, path);
  if (schema.format === "date-time") assert.ok(!Number.isNaN(Date.parse(value as string)), path);
  if (actual === "object" && value !== null) {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) {
      assert.ok(key in object, `${path}.${key} is missing`);
    }
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const [key, item] of Object.entries(object)) {
      const child = properties[key] ??
        (typeof schema.additionalProperties === "object" ? schema.additionalProperties : null);
      if (child) assertSchema(item, child as Schema, `${path}.${key}`);
    }
  }
  if (actual === "array") {
    const items = value as unknown[];
    if (typeof schema.minItems === "number") assert.ok(items.length >= schema.minItems, path);
    if (typeof schema.maxItems === "number") assert.ok(items.length <= schema.maxItems, path);
    if (schema.items) {
      items.forEach((item, i) => assertSchema(item, schema.items as Schema, `${path}[${i}]`));
    }
  }
}

const stateSchema = { $ref: "#/components/schemas/DashboardState" };

Deno.test("[dashboard] GET / serves the page and every linked asset with its content type", async (t) => {
  const dashboard = await openDashboard({ stream: false });
  try {
    const { app } = dashboard;
    const page = await app.request("http://edge/");
    const html = await page.text();
    await t.step("the page", () => {
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(page.headers.get("cache-control"), "no-cache");
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      assert.match(html, /<title>Pin pipeline · live<\/title>/);
      assert.doesNotMatch(html, /\{\{|https?:\/\/(?!www\.w3)/, "no placeholder or remote URL left");
    });
    const links = [...html.matchAll(/(?:href|src)="(\/dashboard\/assets\/[^"]+)"/g)].map((m) =>
      m[1]!
    );
    const expected: Record<string, RegExp> = {
      "dashboard.css": /^text\/css; charset=utf-8$/,
      "dashboard.js": /^text\/javascript; charset=utf-8$/,
      "chart.umd.min.js": /^text\/javascript; charset=utf-8$/,
      "favicon.svg": /^image\/svg\+xml$/,
    };
    await t.step("every asset the page links to", async () => {
      const names = new Set(
        links.map((link) => new URL(link, "http://edge").pathname.split("/").pop()),
      );
      assert.deepEqual([...names].sort(), Object.keys(expected).sort());
      for (const link of links) {
        const response = await app.request(`http://edge${link}`);
        const name = new URL(link, "http://edge").pathname.split("/").pop()!;
        assert.equal(response.status, 200, link);
        assert.match(response.headers.get("content-type") ?? "", expected[name]!, link);
        assert.equal(response.headers.get("cache-control"), "public, max-age=31536000, immutable");
        assert.equal(response.headers.get("x-content-type-options"), "nosniff");
        await response.body?.cancel();
      }
    });
    await t.step("Chart.js comes from the npm package, without its source map link", async () => {
      const link = links.find((l) => l.includes("chart.umd.min.js"))!;
      const text = await (await app.request(`http://edge${link}`)).text();
      assert.match(text.slice(0, 200), /Chart\.js v4\.6\.1/);
      assert.ok(text.length > 100_000);
      assert.doesNotMatch(text, /sourceMappingURL/);
    });
    await t.step("gzip when asked, 304 for a known ETag, 404 for an unknown asset", async () => {
      const link = links.find((l) => l.includes("chart.umd.min.js"))!;
      const gz = await app.request(`http://edge${link}`, {
        headers: { "accept-encoding": "gzip, br" },
      });
      assert.equal(gz.headers.get("content-encoding"), "gzip");
      assert.equal(gz.headers.get("vary"), "Accept-Encoding");
      const zipped = await gz.bytes();
      assert.ok(zipped.byteLength < 100_000, `${zipped.byteLength} bytes gzipped`);
      const again = await app.request(`http://edge${link}`, {
        headers: { "if-none-match": gz.headers.get("etag")! },
      });
      assert.equal(again.status, 304);
      const unpinned = await app.request("http://edge/dashboard/assets/dashboard.js");
      assert.equal(unpinned.headers.get("cache-control"), "no-cache");
      await unpinned.body?.cancel();
      const missing = await app.request("http://edge/dashboard/assets/nope.js");
      assert.equal(missing.status, 404);
      assert.match((await missing.json()).error, /No dashboard asset named 'nope\.js'/);
    });
  } finally {
    await dashboard.close();
  }
});

Deno.test("[dashboard] GET /dashboard/state has the documented shape and follows posted events", async (t) => {
  const dashboard = await openDashboard();
  try {
    const { app, store } = dashboard;
    await t.step("before any event", async () => {
      const state = await stateOf(app);
      assertSchema(state, stateSchema);
      assert.equal(state.window, "15m");
      assert.equal(state.ingest.per_second.length, 900);
      assert.equal(state.ingest.total, 0);
      assert.equal(state.realtime?.events, 0);
      assert.deepEqual(state.realtime?.top_profiles, []);
      assert.equal(state.history, null);
      assert.match(state.unavailable.history ?? "", /No batch view/);
      assert.deepEqual(state.health.consumer_lag, { total: 0, partitions: {} });
      assert.equal(state.health.freshness, null);
      assert.deepEqual(state.dead_letters, {
        total: 0,
        last_24h: 0,
        by_reason: [],
        complete: true,
      });
    });
    const next = createPinGenerator({ seed: 11, posters: 40 });
    const events = Array.from({ length: 600 }, next);
    await t.step(
      "after 600 events posted, one invalid, and applied by the stream job",
      async () => {
        const body = JSON.stringify([...events, { ...events[0], index: "x" }]);
        const response = await app.request("http://edge/pins", {
          method: "POST",
          body,
          headers: { "content-type": "application/json" },
        });
        assert.equal((await response.json()).accepted, 600);
        const deadline = Date.now() + 30_000;
        while (
          (await store.summary({ since: new Date(0), until: new Date(Date.now() + 60_000) }))
            .events < 600
        ) {
          assert.ok(Date.now() < deadline, "the stream job did not apply the events in 30 s");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        dashboard.skip(1000); // the second the events were accepted in is now complete
        const state = await stateOf(app);
        assertSchema(state, stateSchema);
        assert.equal(state.ingest.total, 600);
        assert.equal(state.ingest.peak, 600);
        assert.equal(state.ingest.per_second.at(-1), 600);
        assert.equal(state.ingest.current, 60);
        const view = state.realtime!;
        assert.equal(view.events, 600);
        assert.equal(view.images + view.videos <= 600, true);
        assert.ok(view.images > 0 && view.videos > 0);
        assert.equal(view.top_profiles.length, 10);
        assert.ok(view.top_profiles[0]!.events >= view.top_profiles[9]!.events);
        assert.equal(view.categories.reduce((n, c) => n + c.events, 0), 600);
        assert.deepEqual(state.dead_letters?.by_reason, [
          { reason: "invalid", total: 1, last_24h: 1 },
        ]);
        assert.equal(state.health.consumer_lag?.total, 0);
        assert.ok(Object.keys(state.health.consumer_lag!.partitions).length > 0);
        assert.equal(state.health.freshness?.observations, 600);
        assert.ok(state.health.freshness!.p95_seconds >= state.health.freshness!.p50_seconds);
      },
    );
    await t.step("the window is one of 5m, 15m, 1h, 24h", async () => {
      for (const window of ["5m", "1h", "24h"]) {
        assert.equal((await stateOf(app, window)).window, window);
      }
      const response = await app.request("http://edge/dashboard/state?window=7d");
      assert.equal(response.status, 400);
      const body = await response.json();
      assert.equal(body.problems[0].path, "window");
      assert.match(body.error, /'7d' is not one of 5m, 15m, 1h, 24h/);
    });
    await t.step("events outside the window leave it", async () => {
      dashboard.skip(16 * 60_000);
      const state = await stateOf(app);
      assert.equal(state.realtime?.events, 0);
      assert.equal(state.ingest.total, 0);
      assert.equal((await stateOf(app, "1h")).realtime?.events, 600);
    });
  } finally {
    await dashboard.close();
  }
});

Deno.test("[dashboard] without a real-time store or stream job the sections say so", async () => {
  const dashboard = await openDashboard({ realtime: false, stream: false });
  try {
    const state = await stateOf(dashboard.app);
    assertSchema(state, stateSchema);
    assert.equal(state.realtime, null);
    assert.match(state.unavailable.realtime ?? "", /No real-time store/);
    assert.equal(state.health.consumer_lag, null);
    assert.equal(state.health.freshness, null);
    assert.equal(state.dead_letters?.total, 0);
  } finally {
    await dashboard.close();
  }
});

Deno.test("[dashboard] dead letters by reason come from the topic, and survive a restart of the edge", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "dashboard-dlq-" });
  const now = Date.parse("2026-11-26T12:00:00.000Z");
  const edgeOn = (bus: Bus, read?: Bus["read"]) => {
    const watched = read ? { ...bus, read } : bus;
    return createApp({
      ingestor: createIngestor({
        bus,
        pinsTopic: "pins",
        dlqTopic: "pins.dlq",
        timeoutMs: 5000,
        newId: createUuidV7(),
        now: () => new Date(now),
      }),
      bus,
      metrics: createEdgeMetrics(createProcessRegistry()),
      limits: TEST_LIMITS,
      logger: silent,
      dashboard: assets,
      deadLetters: createDeadLetterCounts({ bus: watched, topic: "pins.dlq", now: () => now }),
      now: () => now,
    });
  };
  let bus = await createEmbeddedBus({ dir, logger: silent });
  try {
    await bus.ensureTopics([{ name: "pins", partitions: 1 }, { name: "pins.dlq", partitions: 1 }]);
    const writer = createIngestor({
      bus,
      pinsTopic: "pins",
      dlqTopic: "pins.dlq",
      timeoutMs: 5000,
      newId: createUuidV7(),
      now: () => new Date(now - 2 * 86_400_000),
    });
    await writer.deadLetter([{
      source: "stream:pins/0@1",
      reason: "not JSON",
      problems: [],
      raw: "{",
    }]);
    await writer.close();
    const response = await edgeOn(bus).request("http://edge/pins", {
      method: "POST",
      body: '{"index": "x"}\n{oops',
      headers: { "content-type": "application/x-ndjson" },
    });
    assert.equal((await response.json()).rejected.length, 2);
    const expected = {
      total: 3,
      last_24h: 2,
      by_reason: [
        { reason: "invalid", total: 2, last_24h: 2 },
        { reason: "not JSON", total: 1, last_24h: 0 },
      ],
      complete: true,
    };
    await t.step("counted by reason, in total and over the last 24 hours", async () => {
      const state = await stateOf(edgeOn(bus));
      assertSchema(state, stateSchema);
      assert.deepEqual(state.dead_letters, expected);
    });
    await t.step("the same after the bus and the edge restart", async () => {
      await bus.close();
      bus = await createEmbeddedBus({ dir, logger: silent });
      assert.deepEqual((await stateOf(edgeOn(bus))).dead_letters, expected);
    });
    await t.step("a topic that cannot be read is reported, the rest is served", async () => {
      const state = await stateOf(edgeOn(bus, () => Promise.reject(new Error("disk gone"))));
      assert.equal(state.dead_letters, null);
      assert.equal(state.unavailable.dead_letters, "The dead-letter topic could not be read");
      assert.equal(state.ingest.total, 0);
    });
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[dashboard] the batch view: years latest first and the last run; a failing store is reported, not fatal", async (t) => {
  let fail = false;
  let reads = 0;
  const history: HistoryReader & DashboardHistory = {
    categoriesByYear: () => Promise.resolve([]),
    mediaByYear: () => Promise.resolve({ image: 0, video: 0, unknown: 0 }),
    topProfiles: () => Promise.resolve([]),
    runs: () => Promise.resolve([]),
    yearsAvailable() {
      reads++;
      return fail ? Promise.reject(new Error("Cassandra is down")) : Promise.resolve([2024, 2025]);
    },
    topCategory(year) {
      return Promise.resolve(
        year === 2025 ? { category: "travel", pins: 1234 } : { category: "art", pins: 99 },
      );
    },
    lastRun() {
      return Promise.resolve({
        day: "2025-12-31",
        status: "succeeded",
        finishedAt: new Date("2026-01-01T02:00:00Z"),
        rowsOut: 5000,
        durationMs: 812,
      });
    },
  };
  const dashboard = await openDashboard({ stream: false, history });
  try {
    await t.step("years and last run", async () => {
      const state = await stateOf(dashboard.app);
      assertSchema(state, stateSchema);
      assert.deepEqual(state.history, {
        years: [
          { year: 2025, category: "travel", pins: 1234 },
          { year: 2024, category: "art", pins: 99 },
        ],
        last_run: {
          day: "2025-12-31",
          status: "succeeded",
          finished_at: "2026-01-01T02:00:00.000Z",
          rows: 5000,
          duration_ms: 812,
        },
      });
    });
    await t.step("read at most every 15 s, whatever the number of viewers", async () => {
      const before = reads;
      await Promise.all(Array.from({ length: 5 }, () => stateOf(dashboard.app)));
      assert.equal(reads, before);
    });
    await t.step("a failing store", async () => {
      fail = true;
      dashboard.skip(16_000);
      const state = await stateOf(dashboard.app);
      assert.equal(state.history, null);
      assert.equal(state.unavailable.history, "The batch view did not answer");
      assert.equal(state.realtime?.events, 0);
    });
  } finally {
    await dashboard.close();
  }
});

Deno.test("[dashboard] any history store plugs in as the dashboard's batch view", () => {
  // A compile-time check: deno check fails here when the history port drifts from what the
  // dashboard reads.
  const plug = (store: HistoryStore): DashboardHistory => store;
  assert.equal(typeof plug, "function");
});

Deno.test("[dashboard] the OpenAPI document describes the dashboard's endpoints", () => {
  const paths = openApiDocument.paths as Record<string, { get?: unknown }>;
  for (const path of ["/", "/dashboard/state", "/dashboard/assets/{name}"]) {
    assert.ok(paths[path]?.get, `missing GET ${path}`);
  }
  assert.ok(openApiDocument.components.schemas.DashboardState);
});
