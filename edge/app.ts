/**
 * The edge's Hono app, built from its dependencies: ingest (`POST /pin/`,
 * `POST /pins`), `/health`, `/metrics`, `/openapi.json`, and when given,
 * the real-time views and the live dashboard (`GET /`).
 *
 * @module
 */

import { Hono } from "hono";
import type { Bus } from "../lib/bus/bus.ts";
import type { IngestConfig } from "../lib/runtime/config.ts";
import type { EdgeMetrics } from "./http/edge_metrics.ts";
import type { Ingestor } from "../lib/ingest/ingest.ts";
import type { Logger } from "../lib/runtime/logger.ts";
import { createRateLimiter } from "./http/rate_limiter.ts";
import { readBody } from "./http/read_body.ts";
import {
  decodeBody,
  type ParsedBatch,
  parseJson,
  parseJsonBatch,
  parseNdjsonBatch,
} from "./http/parse_pins.ts";
import { validatePinEvent } from "../lib/pin/pin_event.ts";
import { errorHandler, HttpError } from "./http/http_error.ts";
import { openApiDocument } from "./openapi.ts";
import { realtimeRoutes } from "./realtime_routes.ts";
import { type HistoryReader, historyRoutes } from "./history_routes.ts";
import type { RealtimeStore } from "../lib/realtime/realtime_store.ts";
import { createRateRing } from "./http/rate_ring.ts";
import type { DashboardAssets } from "./dashboard/dashboard_assets.ts";
import { dashboardRoutes } from "./dashboard/dashboard_routes.ts";
import type { DashboardHistory } from "./dashboard/dashboard_state.ts";
import type { DeadLetterCounts } from "../lib/dlq/dlq_counts.ts";

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
  /** The dashboard's dead letters by reason, from the dead-letter topic. */
  deadLetters?: DeadLetterCounts;
  now?: () => number;
}

type ContentKind = "json" | "ndjson";

function _contentKind(header: string | undefined, allowNdjson: boolean): ContentKind {
  const type = (header ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "" || type.endsWith("+json")) return "json";
  if (allowNdjson && (type === "application/x-ndjson" || type === "application/jsonl")) {
    return "ndjson";
  }
  const accepted = allowNdjson ? "application/json or application/x-ndjson" : "application/json";
  throw new HttpError(415, `Unsupported Content-Type '${type}'; send ${accepted}`, [
    { path: "Content-Type", message: `Expected ${accepted}` },
  ]);
}

function _apiKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return headers.get("x-api-key");
}

/**
 * Builds the edge app.
 *
 * @param deps The ingestor, bus, metrics, limits and logger.
 * @returns The Hono app; serve it with `Deno.serve(app.fetch)` or drive it with `app.request()`.
 */
export function createApp(deps: EdgeDeps): Hono {
  const {
    ingestor,
    bus,
    metrics,
    limits,
    logger,
    realtime,
    dashboard,
    history,
    deadLetters,
    now = Date.now,
  } = deps;
  // This instance's accepted events per second, for the dashboard.
  const ingestRate = createRateRing({ now });
  const keys = new Set(limits.apiKeys);
  const limiter = limits.rateLimit > 0 ? createRateLimiter(limits.rateLimit, now) : null;
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

  function authenticate(headers: Headers): string {
    const key = _apiKey(headers);
    if (keys.size > 0 && (key === null || !keys.has(key))) {
      throw new HttpError(401, key === null ? "Missing API key" : "Unknown API key", [
        {
          path: "Authorization",
          message: "Send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        },
      ], { "WWW-Authenticate": "Bearer" });
    }
    return key ?? "anonymous";
  }

  function limit(key: string, events: number): void {
    const decision = limiter?.take(key, events);
    if (decision && !decision.ok) {
      metrics.eventsRejected.inc({ reason: "rate_limited" }, events);
      throw new HttpError(429, `Rate limit of ${limits.rateLimit} events/s exceeded`, [], {
        "Retry-After": String(decision.retryAfterSeconds),
      });
    }
  }

  async function deadLetter(source: string, batch: ParsedBatch["rejected"], reason: string) {
    if (batch.length === 0) return;
    await ingestor.deadLetter(
      batch.map(({ index, problems, raw }) => ({ source, reason, index, problems, raw })),
    );
    metrics.deadLetters.inc(batch.length);
    metrics.eventsRejected.inc({ reason: "invalid" }, batch.length);
  }

  async function postPin(c: import("hono").Context) {
    _contentKind(c.req.header("content-type"), false);
    const key = authenticate(c.req.raw.headers);
    const text = decodeBody(await readBody(c.req.raw, limits.maxBytes));
    const result = validatePinEvent(parseJson(text));
    if (!result.ok) {
      await deadLetter(
        "edge:/pin/",
        [{ index: 0, problems: result.problems, raw: text }],
        "invalid",
      )
        .catch((error) => logger.warn("Dead letter not written", { error }));
      throw new HttpError(422, "Invalid pin event", result.problems);
    }
    limit(key, 1);
    const [accepted] = await ingestor.accept([result.value]);
    metrics.eventsAccepted.inc();
    ingestRate.add(1);
    return c.json(accepted);
  }

  app.post("/pin/", postPin);
  app.post("/pin", postPin);

  app.post("/pins", async (c) => {
    const kind = _contentKind(c.req.header("content-type"), true);
    const key = authenticate(c.req.raw.headers);
    const text = decodeBody(await readBody(c.req.raw, limits.maxBytes));
    const batch = kind === "ndjson" ? parseNdjsonBatch(text) : parseJsonBatch(text);
    const total = batch.events.length + batch.rejected.length;
    if (total > limits.maxEvents) {
      throw new HttpError(
        413,
        `Too many events: ${total}, at most ${limits.maxEvents} per request`,
        [
          {
            path: "$",
            message: `Split the batch into requests of at most ${limits.maxEvents} events`,
          },
        ],
      );
    }
    limit(key, Math.max(1, total));
    await Promise.all([
      ingestor.accept(batch.events),
      deadLetter("edge:/pins", batch.rejected, "invalid"),
    ]);
    metrics.eventsAccepted.inc(batch.events.length);
    ingestRate.add(batch.events.length);
    return c.json({
      accepted: batch.events.length,
      rejected: batch.rejected.map(({ index, problems }) => ({ index, problems })),
    });
  });

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
