/**
 * The historical read API, from the batch views in the history store:
 * pins per category per year, the most popular category of a year, image
 * and video counts, top profiles per category, and the batch runs.
 *
 * @module
 */

import { Hono } from "hono";
import { z } from "zod";
import type { HistoryStore } from "../lib/history/history_store.ts";
import { HttpError } from "./http/http_error.ts";
import { integerParam, queryParam } from "./http/query_param.ts";

/** The part of the history store the edge reads. */
export type HistoryReader = Pick<
  HistoryStore,
  "categoriesByYear" | "topCategory" | "mediaByYear" | "topProfiles" | "yearsAvailable" | "runs"
>;

const yearParam = integerParam(1970, 9999);
const limitParam = integerParam(1, 1000);
/** A category to look up: 1 to 200 characters, not only spaces (stated in the OpenAPI document too). */
export const CATEGORY_PATTERN = "[^ \\t\\n\\r]";
const categoryParam = z.string()
  .min(1, "Required: a category such as art or travel")
  .max(200)
  .regex(new RegExp(CATEGORY_PATTERN), "Expected a category such as art or travel, not only spaces")
  .transform((text) => text.trim());

/**
 * Builds the `/history` routes.
 *
 * @param history Where the batch views are read from.
 * @param now The clock that picks the default year (the current UTC year).
 * @returns A Hono app to mount at `/history`.
 */
export function historyRoutes(history: HistoryReader, now: () => number = Date.now): Hono {
  const app = new Hono();
  const year = (value: string | undefined) =>
    queryParam(yearParam, "year", value, String(new Date(now()).getUTCFullYear()));

  app.get(
    "/categories",
    async (c) => c.json(await history.categoriesByYear(year(c.req.query("year")))),
  );
  app.get("/categories/top", async (c) => {
    const which = year(c.req.query("year"));
    const top = await history.topCategory(which);
    if (!top) {
      throw new HttpError(404, `No batch data for ${which}`, [
        {
          path: "year",
          message: `Years with data: ${(await history.yearsAvailable()).join(", ") || "none yet"}`,
        },
      ]);
    }
    return c.json({ year: which, ...top });
  });
  app.get("/media", async (c) => {
    const which = year(c.req.query("year"));
    return c.json({ year: which, ...await history.mediaByYear(which) });
  });
  app.get("/profiles/top", async (c) => {
    const category = queryParam(categoryParam, "category", c.req.query("category"), "");
    const limit = queryParam(limitParam, "limit", c.req.query("limit"), "10");
    return c.json(await history.topProfiles(category.toLowerCase(), limit));
  });
  app.get("/years", async (c) => c.json(await history.yearsAvailable()));
  app.get("/runs", async (c) => c.json(await history.runs()));
  return app;
}
