/**
 * The real-time read API: profile popularity, category activity and the
 * per-minute summary over a sliding window, from the real-time store.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import type { RealtimeStore, Window } from "../lib/realtime/realtime_store.ts";
import { queryParam } from "./http/query_param.ts";

const MAX_WINDOW_MS = 30 * 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

const windowParam = z.string().regex(/^[1-9]\d{0,5}[mhd]$/, {
  message: "Expected a duration such as 15m, 1h or 7d (minutes, hours or days, at most 30d)",
}).transform((text) => Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1)]!)
  .refine((ms) => ms <= MAX_WINDOW_MS, { message: "Window is longer than 30d" });

const limitParam = z.coerce.number().int().min(1).max(1000);

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
