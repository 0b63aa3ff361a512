/**
 * A local mirror of the archive for ad-hoc queries: the local-directory
 * archive is used in place; an S3 archive is mirrored into a cache directory
 * (raw and curated zones), downloading only objects that are new or changed
 * (by ETag) and removing those gone from the bucket.
 *
 * @module
 */

import type { ObjectStore } from "../archive/object_store.ts";

/** What a mirror run did. */
export interface MirrorResult {
  /** Directory holding the objects under their keys. */
  root: string;
  downloaded: number;
  removed: number;
  unchanged: number;
}

const ZONES = ["pins/", "curated/"];

async function _readManifest(path: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return {};
  }
}

/**
 * Makes the archive readable as local files.
 *
 * @param store The archive.
 * @param cacheDir Where an S3 archive is mirrored.
 * @param concurrency Downloads at once.
 * @returns The local root and what changed.
 */
export async function mirrorArchive(
  store: ObjectStore,
  cacheDir: string,
  concurrency = 8,
): Promise<MirrorResult> {
  if (store.kind === "local") {
    return { root: store.address, downloaded: 0, removed: 0, unchanged: 0 };
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const manifestPath = `${cacheDir}/.manifest.json`;
  const manifest = await _readManifest(manifestPath);
  const objects = (await Promise.all(ZONES.map((zone) => store.list(zone)))).flat();
  const wanted = new Map(objects.map((object) => [object.key, object.etag]));
  const stale = objects.filter((object) => manifest[object.key] !== object.etag);
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < stale.length) {
      const object = stale[next++]!;
      const path = `${cacheDir}/${object.key}`;
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      await Deno.writeFile(`${path}.part`, await store.get(object.key));
      await Deno.rename(`${path}.part`, path);
      manifest[object.key] = object.etag;
    }
  }));
  let removed = 0;
  for (const key of Object.keys(manifest)) {
    if (wanted.has(key)) continue;
    await Deno.remove(`${cacheDir}/${key}`).catch(() => {});
    delete manifest[key];
    removed += 1;
  }
  await Deno.writeTextFile(manifestPath, JSON.stringify(manifest));
  return {
    root: cacheDir,
    downloaded: stale.length,
    removed,
    unchanged: objects.length - stale.length,
  };
}
