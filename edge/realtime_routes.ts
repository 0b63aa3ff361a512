/**
 * The real-time read API: profile popularity, category activity and the
 * per-minute summary over a sliding window, from the real-time store.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import type { RealtimeStore, Window } from "../lib/realtime/realtime_store.ts";
import { integerParam, queryParam } from "./http/query_param.ts";

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A sliding window's length: minutes, hours or days, from 1m to 30d
 * (43200m, 720h). The OpenAPI document states the same pattern.
 */
export const WINDOW_PATTERN =
  "^(?:(?:[1-9][0-9]{0,3}|[1-3][0-9]{4}|4[0-2][0-9]{3}|43[01][0-9]{2}|43200)m|" +
  "(?:[1-9][0-9]?|[1-6][0-9]{2}|7[01][0-9]|720)h|(?:[1-9]|[12][0-9]|30)d)$";

const windowParam = z.string().regex(new RegExp(WINDOW_PATTERN), {
  message: "Expected a duration such as 15m, 1h or 7d (minutes, hours or days, at most 30d)",
}).transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1)]!);

const limitParam = integerParam(1, 1000);

/**
 * Builds the `/realtime` routes.
 *
 * @param store Where the views are read from.
 * @param now The clock that ends every window.
 * @returns A Hono app to mount at `/realtime`.
 */
export function realtimeRoutes(store: RealtimeStore, now: () => number = Date.now): Hono {
  const app = new Hono();
  function window(value: string | undefined, fallback: string): Window {
    const ms = queryParam(windowParam, "window", value, fallback);
    const until = now();
    return { since: new Date(until - ms), until: new Date(until) };
  }
  app.get("/profiles/top", async (c) => {
    const span = window(c.req.query("window"), "15m");
    const limit = queryParam(limitParam, "limit", c.req.query("limit"), "10");
    return c.json(await store.topProfiles(span, limit));
  });
  app.get("/categories", async (c) => {
    return c.json(await store.categories(window(c.req.query("window"), "1h")));
  });
  app.get("/summary", async (c) => {
    const span = window(c.req.query("window"), "1h");
    const view = await store.summary(span);
    return c.json({ since: span.since.toISOString(), until: span.until.toISOString(), ...view });
  });
  return app;
}
