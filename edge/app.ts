/**
 * The edge's Hono app, built from its dependencies: ingest (`POST /pin/`,
 * `POST /pins`, behind their policy), `/health`, `/metrics`,
 * `/openapi.json`, and when given, the real-time and batch views and the
 * live dashboard (`GET /`), behind `READ_API_KEYS` and a bound on waiting
 * for their stores. Methods a path does not serve answer 405.
 *
 * @module
 */

import { Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { timeout } from "hono/timeout";
import type { Bus } from "../lib/bus/bus.ts";
import type { IngestConfig } from "../lib/runtime/config.ts";
import type { EdgeMetrics } from "./http/edge_metrics.ts";
import type { Ingestor } from "../lib/ingest/ingest.ts";
import type { Logger } from "../lib/runtime/logger.ts";
import { apiKeyAuth } from "./http/api_key_auth.ts";
import { errorBody, errorHandler, HttpError } from "./http/http_error.ts";
import { openApiDocument } from "./openapi.ts";
import { ingestRoutes } from "./ingest_routes.ts";
import { type HealthCheck, healthRoute } from "./health_route.ts";
import { realtimeRoutes } from "./realtime_routes.ts";
import { type HistoryReader, historyRoutes } from "./history_routes.ts";
import type { RealtimeStore } from "../lib/realtime/realtime_store.ts";
import { createRateRing } from "./http/rate_ring.ts";
import { cancelUnreadBody } from "./http/unread_body.ts";
import type { DashboardAssets } from "./dashboard/dashboard_assets.ts";
import { dashboardRoutes } from "./dashboard/dashboard_routes.ts";
import { docsRoutes } from "./dashboard/docs_routes.ts";
import type { DeadLetterCounts } from "../lib/dlq/dlq_counts.ts";
import type { DashboardHistory } from "./dashboard/dashboard_state.ts";

/** What the edge is built from. */
export interface EdgeDeps {
  ingestor: Ingestor;
  bus: Bus;
  metrics: EdgeMetrics;
  limits: IngestConfig;
  logger: Logger;
  /** Keys of the read routes (`/`, `/dashboard/*`, `/realtime/*`, `/history/*`); empty or absent: open. */
  readKeys?: readonly string[];
  /** Serves `/realtime/...` when given. */
  realtime?: RealtimeStore;
  /** Serves the dashboard at `GET /` and the API reference at `/docs` (`loadDashboardAssets`). */
  dashboard?: DashboardAssets;
  /** The dashboard's dead letters by reason, from the dead-letter topic. */
  deadLetters?: DeadLetterCounts;
  /** Serves `/history/...` and the dashboard's batch section when given. */
  history?: HistoryReader & DashboardHistory;
  /** More checks `/health` runs alongside the bus and the real-time store, by name. */
  healthChecks?: Record<string, HealthCheck>;
  /** How long a `/realtime` or `/history` read may wait for its store before a 503 (default 5000). */
  readTimeoutMs?: number;
  now?: () => number;
}

/** The challenge of a 401 on the read routes: a browser then asks for the key as a password. */
const READ_CHALLENGE = 'Basic realm="Pinterest Pipeline", charset="UTF-8"';

/**
 * Builds the edge app.
 *
 * @param deps The ingestor, bus, metrics, limits and logger, and the optional stores and checks.
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
    deadLetters,
    readKeys = [],
    readTimeoutMs = 5000,
    now = Date.now,
  } = deps;
  // This instance's accepted events per second, for the dashboard.
  const ingestRate = createRateRing({ now });
  const app = new Hono();

  app.use(async (c, next) => {
    metrics.startRequest();
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = c.req.routePath === "/*" ? "unmatched" : c.req.routePath;
      metrics.observeRequest(
        route,
        c.req.method,
        c.res.status,
        (performance.now() - started) / 1000,
      );
    }
  });

  app.use(cancelUnreadBody());

  app.use(methodNotAllowed({
    app,
    onMethodNotAllowed: (c, methods) =>
      c.json(
        errorBody(`Method ${c.req.method} is not allowed on ${c.req.path}`, [
          { path: "method", message: `Allowed: ${methods.join(", ")}` },
        ]),
        405,
        { Allow: methods.join(", ") },
      ),
  }));

  const readAuth = apiKeyAuth({ keys: readKeys, challenge: READ_CHALLENGE });
  for (const path of ["/", "/dashboard/*", "/realtime/*", "/history/*"]) app.use(path, readAuth);
  const readTimeout = timeout(readTimeoutMs, (c) => {
    const message = `The store behind ${c.req.path} did not answer within ${readTimeoutMs} ms`;
    return new HttpError(503, `${message}; retry later`, [], { "Retry-After": "5" });
  });
  for (const path of ["/realtime/*", "/history/*"]) app.use(path, readTimeout);

  app.route("/", ingestRoutes({ ...deps, onAccepted: (events) => ingestRate.add(events), now }));
  if (realtime) app.route("/realtime", realtimeRoutes(realtime, now));
  if (history) app.route("/history", historyRoutes(history, now));
  if (dashboard) {
    const registry = metrics.registry;
    app.route(
      "/",
      dashboardRoutes({
        assets: dashboard,
        ingestRate,
        registry,
        logger,
        realtime,
        history,
        deadLetters,
        now,
      }),
    );
    app.route("/", docsRoutes(dashboard.docs));
  }

  const checks: Record<string, HealthCheck> = {
    bus: async () => ({ kind: bus.kind, ...await bus.health() }),
  };
  if (realtime) checks.realtime = async () => ({ kind: realtime.kind, ...await realtime.health() });
  app.route("/", healthRoute({ ...checks, ...deps.healthChecks }));

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
