import assert from "node:assert/strict";
import { Hono } from "hono";
import { errorHandler } from "../../edge/http/http_error.ts";
import { historyRoutes } from "../../edge/history_routes.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { buildDataset, groundTruth, writeRaw } from "../fixtures/batch_fixture.ts";

const silent = createLogger({ level: "silent" });

Deno.test("[edge] GET /history/... answers from the batch views and refuses bad parameters", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "history-routes-" });
  const store = createLocalStore({ dir: `${dir}/archive` });
  const history = await createEmbeddedHistory({ path: `${dir}/history.duckdb` });
  try {
    await store.ensureBucket();
    await history.migrate();
    const dataset = buildDataset({
      seed: 9,
      events: 4000,
      days: ["2026-01-02", "2026-01-03"],
      span: { from: new Date("2024-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") },
    });
    await writeRaw(store, dataset);
    assert.equal((await runBatch({ store, history, logger: silent })).failed, 0);
    const truth = groundTruth(dataset);
    const app = new Hono().route(
      "/history",
      historyRoutes(history, () => Date.parse("2025-06-01T00:00:00Z")),
    );
    app.onError(errorHandler(silent, createEdgeMetrics(createProcessRegistry())));
    const get = async (path: string) => {
      const response = await app.request(`http://edge${path}`);
      return { status: response.status, body: await response.json() };
    };

    await t.step("pins per category of a year, and its most popular category", async () => {
      for (const year of [2024, 2025]) {
        const { body } = await get(`/history/categories?year=${year}`);
        const expected = new Map(
          truth.categoriesByYear.get(year)!.map((r) => [r.category, r.pins]),
        );
        assert.deepEqual(
          new Map(body.map((r: { category: string; pins: number }) => [r.category, r.pins])),
          expected,
        );
        const top = await get(`/history/categories/top?year=${year}`);
        assert.equal(top.status, 200);
        assert.equal(top.body.pins, Math.max(...expected.values()));
      }
    });
    await t.step("the year defaults to the current one", async () => {
      assert.equal((await get("/history/categories/top")).body.year, 2025);
    });
    await t.step("a year without data is a 404 naming the years that have some", async () => {
      const { status, body } = await get("/history/categories/top?year=1999");
      assert.equal(status, 404);
      assert.match(body.problems[0].message, /2024, 2025/);
    });
    await t.step("top profiles of a category by follower count", async () => {
      const { body } = await get("/history/profiles/top?category=ART&limit=5");
      assert.ok(body.length > 0 && body.length <= 5);
      const counts = body.map((r: { follower_count: number | null }) => r.follower_count ?? -1);
      assert.deepEqual(counts, [...counts].sort((a: number, b: number) => b - a));
    });
    await t.step("media counts, years and runs", async () => {
      const media = (await get("/history/media?year=2025")).body;
      assert.ok(media.image > 0 && media.video > 0);
      assert.deepEqual((await get("/history/years")).body, truth.years);
      const runs = (await get("/history/runs")).body;
      assert.deepEqual(runs.map((r: { day: string }) => r.day), ["2026-01-02", "2026-01-03"]);
      for (const run of runs) assert.deepEqual(run.nulled, truth.nulled.get(run.day), run.day);
    });
    for (
      const [query, name] of [["/history/categories?year=abc", "year"], [
        "/history/profiles/top",
        "category",
      ], ["/history/profiles/top?category=art&limit=0", "limit"]]
    ) {
      await t.step(`400 for ${query}`, async () => {
        const { status, body } = await get(query!);
        assert.equal(status, 400);
        assert.equal(body.problems[0].path, name);
      });
    }
  } finally {
    await history.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
