/**
 * A file the edge serves to browsers (the dashboard's, the API reference's):
 * loaded once, gzipped once, named by a content hash that is its ETag and
 * pins the links to it (`?v=<hash>`), so browsers may cache it for good.
 *
 * @module
 */

import type { Context } from "hono";

/** One file ready to serve. */
export interface Asset {
  body: Uint8Array;
  /** The body gzipped, or null when not worth it. */
  gzip: Uint8Array | null;
  contentType: string;
  /** A strong ETag from the content hash. */
  etag: string;
}

/** Content types by file extension. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/**
 * Reads a file to serve.
 *
 * @param url The file.
 * @returns Its bytes.
 * @throws {Error} When it cannot be read, naming it.
 */
export async function readAssetFile(url: URL): Promise<Uint8Array> {
  try {
    return await Deno.readFile(url);
  } catch (error) {
    throw new Error(`Cannot read the file ${url.pathname}: ${error}`, { cause: error });
  }
}

async function _gzip(body: Uint8Array): Promise<Uint8Array | null> {
  if (body.byteLength < 1024) return null;
  const stream = new Blob([body as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return await new Response(stream).bytes();
}

/**
 * Makes an asset of a body: its gzip and its ETag.
 *
 * @param body The file's bytes.
 * @param contentType Its Content-Type.
 * @returns The asset.
 */
export async function createAsset(body: Uint8Array, contentType: string): Promise<Asset> {
  const digest = await crypto.subtle.digest("SHA-256", body as Uint8Array<ArrayBuffer>);
  const hash = Array.from(
    new Uint8Array(digest).slice(0, 8),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
  return { body, gzip: await _gzip(body), contentType, etag: `"${hash}"` };
}

/**
 * The URL of a loaded file, pinned to its content hash.
 *
 * @param base Where the files are served, e.g. `/dashboard/assets`.
 * @param name The file's name.
 * @param files The files loaded so far.
 * @param from The file holding the link, for the error.
 * @returns `<base>/<name>?v=<hash>`.
 * @throws {Error} When `name` is not loaded yet.
 */
export function pinnedUrl(
  base: string,
  name: string,
  files: ReadonlyMap<string, Asset>,
  from: string,
): string {
  const asset = files.get(name);
  if (!asset) {
    throw new Error(`The file ${from} links to '${name}', which is not an asset loaded before it`);
  }
  return `${base}/${name}?v=${asset.etag.slice(1, -1)}`;
}

/**
 * Fills a page template's `{{asset:<name>}}` placeholders with pinned URLs.
 *
 * @param template The page's text.
 * @param base Where the files are served.
 * @param files The loaded files.
 * @param from The template's name, for errors.
 * @returns The page's text.
 */
export function linkTemplate(
  template: string,
  base: string,
  files: ReadonlyMap<string, Asset>,
  from: string,
): string {
  return template.replace(
    /\{\{asset:([\w.-]+)\}\}/g,
    (_, name: string) => pinnedUrl(base, name, files, from),
  );
}

/**
 * A package's script or style sheet without its trailing source map link:
 * the map is not served, and browsers would ask for it.
 *
 * @param text The file's text.
 * @returns The text without the link.
 */
export function withoutSourceMap(text: string): string {
  return text.replace(/\n\/[/*]# sourceMappingURL=\S+\s*(\*\/)?\s*$/, "\n");
}

/**
 * Answers with an asset: 304 for a matching `If-None-Match`, gzip when the
 * client accepts it.
 *
 * @param c The request's context.
 * @param asset The file.
 * @param cacheControl The `Cache-Control` header.
 * @returns The response.
 */
export function sendAsset(c: Context, asset: Asset, cacheControl: string): Response {
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

/**
 * The pages' Content-Security-Policy: everything from the edge itself, no
 * inline script or style (the charts and Swagger UI set element styles from
 * their scripts, which it allows), icons from `data:` URLs.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Answers with a page: its Content-Security-Policy, no referrer, and
 * revalidated on every load (its files are linked by content hash).
 *
 * @param c The request's context.
 * @param page The page.
 * @returns The response.
 */
export function sendPage(c: Context, page: Asset): Response {
  c.header("Content-Security-Policy", PAGE_CSP);
  c.header("Referrer-Policy", "no-referrer");
  return sendAsset(c, page, "no-cache");
}

/**
 * Answers `GET <base>/:name` from a set of files: immutable when asked with
 * the file's content hash (`?v=`), revalidated otherwise, 404 for an
 * unknown name.
 *
 * @param c The request's context, with the `name` path parameter.
 * @param files The files.
 * @returns The response, or null when no file has that name.
 */
export function sendNamedAsset(c: Context, files: ReadonlyMap<string, Asset>): Response | null {
  const asset = files.get(c.req.param("name") ?? "");
  if (!asset) return null;
  const pinned = c.req.query("v") === asset.etag.slice(1, -1);
  return sendAsset(c, asset, pinned ? "public, max-age=31536000, immutable" : "no-cache");
}
