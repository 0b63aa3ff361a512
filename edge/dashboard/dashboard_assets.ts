/**
 * The dashboard's files, loaded once at start-up: the page, its script
 * modules and style sheets from `static/`, and Chart.js's browser build read
 * from the npm package in Deno's cache, so the edge serves everything itself
 * (offline, no CDN). Each file is gzipped once and carries a content hash,
 * used as its ETag and in the links to it (the page's, a module's imports, a
 * style sheet's `@import`s), so browsers may cache it for good. The page
 * links to Grafana when its address is configured. The API reference's
 * files are loaded with them (`docs_assets.ts`).
 *
 * @module
 */

import {
  type Asset,
  ASSET_TYPES,
  createAsset,
  linkTemplate,
  pinnedUrl,
  readAssetFile,
  withoutSourceMap,
} from "./asset.ts";
import { type DocsAssets, loadDocsAssets } from "./docs_assets.ts";

export type { Asset } from "./asset.ts";

/** The page and the files under `/dashboard/assets/`, and the API reference's. */
export interface DashboardAssets {
  page: Asset;
  /** By file name. */
  files: ReadonlyMap<string, Asset>;
  /** The API reference page at `/docs` and its files. */
  docs: DocsAssets;
}

/** Options of {@linkcode loadDashboardAssets}. */
export interface DashboardOptions {
  /** Grafana's address, linked from the page when set (`GRAFANA_URL`). */
  grafanaUrl?: string | null;
}

/** Where the assets are served. */
export const ASSETS_PATH = "/dashboard/assets";

/**
 * The files of `static/`, each after those it links to: a link carries the
 * hash of the file it names, so that file must be loaded first.
 */
const STATIC = [
  "favicon.svg",
  "base.css",
  "layout.css",
  "controls.css",
  "kpi.css",
  "charts.css",
  "profiles.css",
  "history.css",
  "health.css",
  "dead_letters.css",
  "dashboard.css",
  "format.js",
  "dom.js",
  "theme.js",
  "ingest_panel.js",
  "summary_panel.js",
  "media_panel.js",
  "profiles_panel.js",
  "categories_panel.js",
  "history_panel.js",
  "health_panel.js",
  "dead_letters_panel.js",
  "dashboard.js",
];
/**
 * Links to other files, by extension: a module's `from "./x.js"` or
 * `import "./x.js"`, a style sheet's `@import url("x.css")`.
 */
const LINKS: Record<string, RegExp> = {
  js: /(?<=\b(?:from|import)\s*")\.\/([\w.-]+)(?=")/g,
  css: /(?<=@import url\(")([\w.-]+)(?="\))/g,
};
const CHART_FILE = "chart.umd.min.js";

/** Points a static file's links at the pinned URLs of the files it names. */
function _link(name: string, body: Uint8Array, files: ReadonlyMap<string, Asset>): Uint8Array {
  const links = LINKS[name.split(".").pop()!];
  if (!links) return body;
  const text = new TextDecoder().decode(body);
  return new TextEncoder().encode(
    text.replace(links, (_, linked) => pinnedUrl(ASSETS_PATH, linked, files, name)),
  );
}

function _escapeAttribute(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** The footer's link to Grafana, or nothing. */
function _grafanaLink(url: string | null | undefined): string {
  return url ? `<a href="${_escapeAttribute(url)}" rel="noopener noreferrer">Grafana</a>` : "";
}

/**
 * Finds Chart.js's UMD build (`dist/chart.umd.min.js`) in the npm package
 * mapped as `chart.js` in deno.json. The package's exports do not list the
 * file, so it is found next to the package's resolved entry point.
 *
 * @returns The file's URL.
 * @throws {Error} When the package is not installed and cannot be loaded.
 */
export async function resolveChartJs(): Promise<URL> {
  let entry = import.meta.resolve("chart.js");
  if (!entry.startsWith("file:")) {
    // Not installed yet (no `deno install`): loading a small module of the package makes Deno
    // fetch it into its cache, after which it resolves to a file.
    await import("chart.js/helpers");
    entry = import.meta.resolve("chart.js");
  }
  if (!entry.startsWith("file:")) {
    throw new Error(
      `Cannot find Chart.js's files: 'chart.js' resolves to ${entry}; run deno install`,
    );
  }
  return new URL(`./${CHART_FILE}`, entry);
}

/**
 * Loads the dashboard's files and the API reference's.
 *
 * @param options Grafana's address, for the page's link to it.
 * @returns The page and its assets.
 * @throws {Error} When a file cannot be read, naming it.
 */
export async function loadDashboardAssets(
  options: DashboardOptions = {},
): Promise<DashboardAssets> {
  const files = new Map<string, Asset>();
  for (const name of STATIC) {
    const body = await readAssetFile(new URL(`./static/${name}`, import.meta.url));
    files.set(
      name,
      await createAsset(_link(name, body, files), ASSET_TYPES[name.split(".").pop()!]!),
    );
  }
  const chart = new TextDecoder().decode(await readAssetFile(await resolveChartJs()));
  files.set(
    CHART_FILE,
    await createAsset(new TextEncoder().encode(withoutSourceMap(chart)), ASSET_TYPES.js!),
  );
  const template = new TextDecoder().decode(
    await readAssetFile(new URL("./static/index.html", import.meta.url)),
  );
  const html = linkTemplate(template, ASSETS_PATH, files, "index.html")
    .replace("<!--link:grafana-->", _grafanaLink(options.grafanaUrl));
  return {
    page: await createAsset(new TextEncoder().encode(html), ASSET_TYPES.html!),
    files,
    docs: await loadDocsAssets(),
  };
}
