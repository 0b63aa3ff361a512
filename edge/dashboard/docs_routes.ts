/**
 * The API reference: `GET /docs` renders the edge's OpenAPI document
 * (`/openapi.json`) with Swagger UI, whose files the edge serves itself at
 * `GET /docs/assets/<file>`. Read-only and unauthenticated, like the
 * dashboard.
 *
 * @module
 */

import { Hono } from "hono";
import { HttpError } from "../http/http_error.ts";
import { sendNamedAsset, sendPage } from "./asset.ts";
import { DOCS_ASSETS_PATH, type DocsAssets } from "./docs_assets.ts";

/**
 * Builds the API reference's routes; mount at the root (`app.route("/", ...)`).
 *
 * @param assets The page and its files, from `loadDocsAssets()`.
 * @returns A Hono app.
 */
export function docsRoutes(assets: DocsAssets): Hono {
  const app = new Hono();

  app.get("/docs", (c) => sendPage(c, assets.page));
  app.get("/docs/", (c) => c.redirect("/docs", 301));

  app.get(`${DOCS_ASSETS_PATH}/:name`, (c) => {
    const response = sendNamedAsset(c, assets.files);
    if (!response) throw new HttpError(404, `No API reference file named '${c.req.param("name")}'`);
    return response;
  });

  return app;
}
