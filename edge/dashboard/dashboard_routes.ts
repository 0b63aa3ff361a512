/**
 * The live dashboard: `GET /` (the page), `GET /dashboard/state` (the JSON
 * document the page polls every two seconds) and
 * `GET /dashboard/assets/<file>` (its script, style, icon and Chart.js).
 * Read-only; behind `READ_API_KEYS` when it is set, like `/realtime/...` (see app.ts).
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/runtime/logger.ts";
import type { RateRing } from "../http/rate_ring.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { HttpError } from "../http/http_error.ts";
import { type Asset, ASSETS_PATH, type DashboardAssets } from "./dashboard_assets.ts";
import {
  createDashboardState,
  DASHBOARD_WINDOWS,
  type DashboardHistory,
  type DashboardWindow,
} from "./dashboard_state.ts";
import { createHealthReader } from "./pipeline_health.ts";

/** What the dashboard is built from. */
export interface DashboardDeps {
  /** The files, from `loadDashboardAssets()`. */
  assets: DashboardAssets;
  /** The edge's accepted events per second. */
  ingestRate: RateRing;
  /** The process's registry, read for pipeline health. */
  registry: Registry;
  logger: Logger;
  /** The real-time views; without it the page says so. */
  realtime?: RealtimeStore;
  /** The batch view; without it the page shows "no batch run yet". */
  history?: DashboardHistory;
  now?: () => number;
}

/**
 * The page's Content-Security-Policy: everything from the edge itself, no
 * inline script or style.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

function _send(c: Context, asset: Asset, cacheControl: string): Response {
  c.header("Cache-Control", cacheControl);
  c.header("ETag", asset.etag);
  c.header("Vary", "Accept-Encoding");
  c.header("X-Content-Type-Options", "nosniff");
  const match = c.req.header("if-none-match");
  if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === asset.etag)) {
    return c.body(null, 304);
  }
  c.header("Content-Type", asset.contentType);
  if (asset.gzip && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
    c.header("Content-Encoding", "gzip");
    return c.body(asset.gzip as Uint8Array<ArrayBuffer>);
  }
  return c.body(asset.body as Uint8Array<ArrayBuffer>);
}

function _window(value: string | undefined): DashboardWindow {
  const text = value ?? "15m";
  if (Object.hasOwn(DASHBOARD_WINDOWS, text)) return text as DashboardWindow;
  const allowed = Object.keys(DASHBOARD_WINDOWS).join(", ");
  throw new HttpError(400, `Invalid query parameter 'window': '${text}' is not one of ${allowed}`, [
    { path: "window", message: `Expected one of ${allowed}` },
  ]);
}

/**
 * Builds the dashboard's routes; mount at the root (`app.route("/", ...)`).
 *
 * @param deps The assets, rate ring, registry, logger and optional stores.
 * @returns A Hono app.
 */
export function dashboardRoutes(deps: DashboardDeps): Hono {
  const { assets, registry, now = Date.now } = deps;
  const state = createDashboardState({
    ...deps,
    readHealth: createHealthReader(registry, now),
    now,
  });
  const app = new Hono();

  app.get("/", (c) => {
    c.header("Content-Security-Policy", DASHBOARD_CSP);
    c.header("Referrer-Policy", "no-referrer");
    return _send(c, assets.page, "no-cache");
  });

  app.get("/dashboard/state", async (c) => {
    const document = await state(_window(c.req.query("window")));
    c.header("Cache-Control", "no-store");
    return c.json(document);
  });

  app.get(`${ASSETS_PATH}/:name`, (c) => {
    const asset = assets.files.get(c.req.param("name"));
    if (!asset) {
      throw new HttpError(404, `No dashboard asset named '${c.req.param("name")}'`);
    }
    // The page links each file with its content hash (?v=...): a changed file has a new URL.
    const pinned = c.req.query("v") === asset.etag.slice(1, -1);
    return _send(c, asset, pinned ? "public, max-age=31536000, immutable" : "no-cache");
  });

  return app;
}
