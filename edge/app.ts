/**
 * The edge's Hono app, built from its dependencies: ingest (`POST /pin/`,
 * `POST /pins`, behind their policy), `/health`, `/metrics`,
 * `/openapi.json`, and when given, the real-time and batch views and the
 * live dashboard (`GET /`).
 *
 * @module
 */

import { Hono } from "hono";
import type { Bus } from "../lib/bus/bus.ts";
import type { IngestConfig } from "../lib/runtime/config.ts";
import type { EdgeMetrics } from "./http/edge_metrics.ts";
import type { Ingestor } from "../lib/ingest/ingest.ts";
import type { Logger } from "../lib/runtime/logger.ts";
import { errorHandler } from "./http/http_error.ts";
import { openApiDocument } from "./openapi.ts";
import { ingestRoutes } from "./ingest_routes.ts";
import { realtimeRoutes } from "./realtime_routes.ts";
import { type HistoryReader, historyRoutes } from "./history_routes.ts";
import type { RealtimeStore } from "../lib/realtime/realtime_store.ts";
import { createRateRing } from "./http/rate_ring.ts";
import type { DashboardAssets } from "./dashboard/dashboard_assets.ts";
import { dashboardRoutes } from "./dashboard/dashboard_routes.ts";
import type { DashboardHistory } from "./dashboard/dashboard_state.ts";

/** What the edge is built from. */
export interface EdgeDeps {
  ingestor: Ingestor;
  bus: Bus;
  metrics: EdgeMetrics;
  limits: IngestConfig;
  logger: Logger;
  /** Serves `/realtime/...` when given. */
  realtime?: RealtimeStore;
  /** Serves the live dashboard at `GET /` when given (see `loadDashboardAssets`). */
  dashboard?: DashboardAssets;
  /** Serves `/history/...` and the dashboard's batch section when given. */
  history?: HistoryReader & DashboardHistory;
  now?: () => number;
}

/**
 * Builds the edge app.
 *
 * @param deps The ingestor, bus, metrics, limits and logger, and the optional stores.
 * @returns The Hono app; serve it with `Deno.serve(app.fetch)` or drive it with `app.request()`.
 */
export function createApp(deps: EdgeDeps): Hono {
  const {
    bus,
    metrics,
    logger,
    realtime,
    dashboard,
    history,
    now = Date.now,
  } = deps;
  // This instance's accepted events per second, for the dashboard.
  const ingestRate = createRateRing({ now });
  const app = new Hono();

  app.use(async (c, next) => {
    metrics.inFlightRequests.inc();
    const started = performance.now();
    try {
      await next();
    } finally {
      metrics.inFlightRequests.dec();
      const route = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
      const labels = { route, method: c.req.method };
      metrics.requests.inc({ ...labels, status: String(c.res.status) });
      metrics.requestSeconds.observe(labels, (performance.now() - started) / 1000);
    }
  });

  app.route("/", ingestRoutes({ ...deps, onAccepted: (events) => ingestRate.add(events), now }));
  if (realtime) app.route("/realtime", realtimeRoutes(realtime, now));
  if (history) app.route("/history", historyRoutes(history, now));
  if (dashboard) {
    const registry = metrics.registry;
    app.route(
      "/",
      dashboardRoutes({ assets: dashboard, ingestRate, registry, logger, realtime, history, now }),
    );
  }

  app.get("/health", async (c) => {
    const [busCheck, realtimeCheck] = await Promise.all([bus.health(), realtime?.health()]);
    const checks: Record<string, { kind: string; ok: boolean; detail: string }> = {
      bus: { kind: bus.kind, ...busCheck },
    };
    if (realtime && realtimeCheck) checks.realtime = { kind: realtime.kind, ...realtimeCheck };
    const ok = Object.values(checks).every((check) => check.ok);
    return ok ? c.json({ status: "ok", checks }) : c.json({ status: "degraded", checks }, 503);
  });

  app.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.get("/openapi.json", (c) => c.json(openApiDocument));

  app.notFound((c) =>
    c.json({ error: `No route for ${c.req.method} ${c.req.path}`, problems: [] }, 404)
  );
  app.onError(errorHandler(logger, metrics));
  return app;
}
