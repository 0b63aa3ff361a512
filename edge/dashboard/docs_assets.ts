/**
 * The API reference page's files, served by the edge itself (offline, no
 * CDN): Swagger UI's browser build and style sheet, read from the
 * `swagger-ui-dist` npm package in Deno's cache, and the page, its script
 * and its style sheet from `docs/`. The page renders `/openapi.json`.
 *
 * @module
 */

import { pathToFileURL } from "node:url";
import swaggerUiPath from "swagger-ui-dist/absolute-path.js";
import {
  type Asset,
  ASSET_TYPES,
  createAsset,
  linkTemplate,
  readAssetFile,
  withoutSourceMap,
} from "./asset.ts";

/** The page at `/docs` and the files under `/docs/assets/`. */
export interface DocsAssets {
  page: Asset;
  /** By file name. */
  files: ReadonlyMap<string, Asset>;
}

/** Where the API reference's files are served. */
export const DOCS_ASSETS_PATH = "/docs/assets";

/** Swagger UI's files, from the package's folder. */
const PACKAGE_FILES = ["swagger-ui-bundle.js", "swagger-ui.css"];
/** The page's own files, from `docs/`. */
const OWN_FILES = ["docs.css", "docs.js"];

/**
 * Loads the API reference's files.
 *
 * @returns The page and its files.
 * @throws {Error} When a file cannot be read, naming it.
 */
export async function loadDocsAssets(): Promise<DocsAssets> {
  const files = new Map<string, Asset>();
  const type = (name: string) => ASSET_TYPES[name.split(".").pop()!]!;
  const folder = pathToFileURL(`${swaggerUiPath()}/`);
  for (const name of PACKAGE_FILES) {
    const text = new TextDecoder().decode(await readAssetFile(new URL(name, folder)));
    files.set(
      name,
      await createAsset(new TextEncoder().encode(withoutSourceMap(text)), type(name)),
    );
  }
  for (const name of OWN_FILES) {
    const body = await readAssetFile(new URL(`./docs/${name}`, import.meta.url));
    files.set(name, await createAsset(body, type(name)));
  }
  const template = new TextDecoder().decode(
    await readAssetFile(new URL("./docs/index.html", import.meta.url)),
  );
  const html = linkTemplate(template, DOCS_ASSETS_PATH, files, "docs/index.html");
  return { page: await createAsset(new TextEncoder().encode(html), ASSET_TYPES.html!), files };
}
