/**
 * The live dashboard: `GET /` (the page), `GET /dashboard/state` (the JSON
 * document the page polls every two seconds) and
 * `GET /dashboard/assets/<file>` (its script, style, icon and Chart.js).
 * Read-only; behind `READ_API_KEYS` when it is set, like `/realtime/...` (see app.ts).
 *
 * @module
 */

import { Hono } from "hono";
import type { Registry } from "prom-client";
import type { DeadLetterCounts } from "../../lib/dlq/dlq_counts.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import type { RateRing } from "../http/rate_ring.ts";
import type { RealtimeStore } from "../../lib/realtime/realtime_store.ts";
import { HttpError } from "../http/http_error.ts";
import { sendNamedAsset, sendPage } from "./asset.ts";
import { ASSETS_PATH, type DashboardAssets } from "./dashboard_assets.ts";
import { createDashboardState, type DashboardHistory } from "./dashboard_state.ts";
import { DASHBOARD_WINDOWS, type DashboardWindow, DEFAULT_WINDOW } from "./dashboard_windows.ts";
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
  /** The dead-letter topic's counts; without them the panel says so. */
  deadLetters?: DeadLetterCounts;
  now?: () => number;
}

function _window(value: string | undefined): DashboardWindow {
  const text = value ?? DEFAULT_WINDOW;
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
    readHealth: createHealthReader(registry),
    now,
  });
  const app = new Hono();

  app.get("/", (c) => sendPage(c, assets.page));

  app.get("/dashboard/state", async (c) => {
    const document = await state(_window(c.req.query("window")));
    c.header("Cache-Control", "no-store");
    return c.json(document);
  });

  app.get(`${ASSETS_PATH}/:name`, (c) => {
    // The page links each file with its content hash (?v=...): a changed file has a new URL.
    const response = sendNamedAsset(c, assets.files);
    if (!response) throw new HttpError(404, `No dashboard asset named '${c.req.param("name")}'`);
    return response;
  });

  return app;
}
