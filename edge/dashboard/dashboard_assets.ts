/**
 * The dashboard's files, loaded once at start-up: the page, its script
 * modules and style sheets from `static/`, and Chart.js's browser build read
 * from the npm package in Deno's cache, so the edge serves everything itself
 * (offline, no CDN). Each file is gzipped once and carries a content hash,
 * used as its ETag and in the links to it (the page's, a module's imports, a
 * style sheet's `@import`s), so browsers may cache it for good.
 *
 * @module
 */

/** One file ready to serve. */
export interface Asset {
  body: Uint8Array;
  /** The body gzipped, or null when not worth it. */
  gzip: Uint8Array | null;
  contentType: string;
  /** A strong ETag from the content hash. */
  etag: string;
}

/** The page and the files under `/dashboard/assets/`. */
export interface DashboardAssets {
  page: Asset;
  /** By file name. */
  files: ReadonlyMap<string, Asset>;
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
const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};
/**
 * Links to other files, by extension: a module's `from "./x.js"` or
 * `import "./x.js"`, a style sheet's `@import url("x.css")`.
 */
const LINKS: Record<string, RegExp> = {
  js: /(?<=\b(?:from|import)\s*")\.\/([\w.-]+)(?=")/g,
  css: /(?<=@import url\(")([\w.-]+)(?="\))/g,
};
const CHART_FILE = "chart.umd.min.js";
const PAGE_TYPE = "text/html; charset=utf-8";

async function _gzip(body: Uint8Array): Promise<Uint8Array | null> {
  if (body.byteLength < 1024) return null;
  const stream = new Blob([body as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return await new Response(stream).bytes();
}

function _pinned(name: string, files: ReadonlyMap<string, Asset>, from: string): string {
  const asset = files.get(name);
  if (!asset) {
    throw new Error(
      `The dashboard file ${from} links to '${name}', which is not an asset loaded before it`,
    );
  }
  return `${ASSETS_PATH}/${name}?v=${asset.etag.slice(1, -1)}`;
}

/** Points a static file's links at the pinned URLs of the files it names. */
function _link(name: string, body: Uint8Array, files: ReadonlyMap<string, Asset>): Uint8Array {
  const links = LINKS[name.split(".").pop()!];
  if (!links) return body;
  const text = new TextDecoder().decode(body);
  return new TextEncoder().encode(text.replace(links, (_, linked) => _pinned(linked, files, name)));
}

async function _asset(body: Uint8Array, contentType: string): Promise<Asset> {
  const digest = await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>);
  const hash = Array.from(
    new Uint8Array(digest).slice(0, 8),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  return { body, gzip: await _gzip(body), contentType, etag: `"${hash}"` };
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
 * Loads the dashboard's files.
 *
 * @returns The page and its assets.
 * @throws {Error} When a file cannot be read, naming it.
 */
export async function loadDashboardAssets(): Promise<DashboardAssets> {
  const files = new Map<string, Asset>();
  const read = async (url: URL) => {
    try {
      return await Deno.readFile(url);
    } catch (error) {
      throw new Error(`Cannot read the dashboard file ${url.pathname}: ${error}`, { cause: error });
    }
  };
  for (const name of STATIC) {
    const body = await read(new URL(`./static/${name}`, import.meta.url));
    files.set(name, await _asset(_link(name, body, files), TYPES[name.split(".").pop()!]!));
  }
  const chart = new TextDecoder().decode(await read(await resolveChartJs()))
    // The source map is not served; without this line browsers would ask for it.
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  files.set(
    CHART_FILE,
    await _asset(new TextEncoder().encode(chart), "text/javascript; charset=utf-8"),
  );
  const template = new TextDecoder().decode(
    await read(new URL("./static/index.html", import.meta.url)),
  );
  const html = template.replace(
    /\{\{asset:([\w.-]+)\}\}/g,
    (_, name: string) => _pinned(name, files, "index.html"),
  );
  return { page: await _asset(new TextEncoder().encode(html), PAGE_TYPE), files };
}
