/**
 * The archive as local files for ad-hoc queries: a local-directory archive
 * is used in place; an S3 archive is mirrored into a cache directory,
 * downloading only objects that are new or changed (by ETag) and removing
 * those gone from the bucket.
 *
 * Only objects whose keys parse against the archive layout
 * (`lib/archive/archive_key.ts`) are read or mirrored: any other key in the
 * zones (a stray upload, a key with `..` segments) is skipped, counted and
 * logged once. Every local path is resolved and checked to stay inside the
 * directory.
 *
 * @module
 */

import {
  CURATED_PREFIX,
  DLQ_PREFIX,
  parseArchiveKey,
  parseCuratedKey,
  RAW_PREFIX,
} from "../archive/archive_key.ts";
import { dirname } from "node:path";
import type { ObjectInfo, ObjectStore } from "../archive/object_store.ts";
import type { Logger } from "../runtime/logger.ts";
import { localObjectPath } from "./local_path.ts";

/** The archive's objects as local files, in key order. */
export interface ArchiveFiles {
  /** Gzip NDJSON files of the raw zone. */
  raw: string[];
  /** Parquet files of the curated zone. */
  curated: string[];
  /** Gzip NDJSON files of the dead-letter zone. */
  dlq: string[];
}

/** What a mirror run found and did. */
export interface MirrorResult extends ArchiveFiles {
  downloaded: number;
  removed: number;
  unchanged: number;
  /** Objects in the zones whose keys are not in the archive layout. */
  skipped: number;
}

/** Options of {@linkcode mirrorArchive}. */
export interface MirrorOptions {
  /** Where skipped keys are reported. */
  logger: Logger;
  /** Downloads at once (default 8). */
  concurrency?: number;
}

/** Skipped keys named in the log line; the count covers them all. */
const LOGGED_KEYS = 20;

async function _readManifest(path: string): Promise<Map<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch {
    return new Map();
  }
  if (typeof parsed !== "object" || parsed === null) return new Map();
  return new Map(Object.entries(parsed).filter(([, etag]) => typeof etag === "string"));
}

/**
 * The cache path of a manifest entry to remove, or null when a former version
 * mirrored a key outside the layout to a path outside the cache: such a path is
 * not the cache's to delete, so the entry is only forgotten.
 */
function _removablePath(cacheDir: string, key: string): string | null {
  try {
    return localObjectPath(cacheDir, key);
  } catch {
    return null;
  }
}

function _zoneOf(key: string): keyof ArchiveFiles | null {
  if (parseArchiveKey(key) !== null) return "raw";
  if (parseCuratedKey(key) !== null) return "curated";
  if (parseArchiveKey(key, DLQ_PREFIX) !== null) return "dlq";
  return null;
}

/** The zones' objects whose keys parse, and a log line for the others. */
async function _listZones(store: ObjectStore, logger: Logger) {
  const zones = [RAW_PREFIX, CURATED_PREFIX, DLQ_PREFIX];
  const listed = (await Promise.all(zones.map((zone) => store.list(zone)))).flat();
  const objects: Array<ObjectInfo & { zone: keyof ArchiveFiles }> = [];
  const skipped: string[] = [];
  for (const object of listed) {
    const zone = _zoneOf(object.key);
    if (zone === null) skipped.push(object.key);
    else objects.push({ ...object, zone });
  }
  if (skipped.length > 0) {
    logger.warn("Skipping objects whose keys are not in the archive layout", {
      archive: store.address,
      skipped: skipped.length,
      keys: skipped.slice(0, LOGGED_KEYS),
    });
  }
  return { objects, skipped: skipped.length };
}

/**
 * Makes the archive readable as local files.
 *
 * @param store The archive.
 * @param cacheDir Where an S3 archive is mirrored.
 * @param options The logger and the download concurrency.
 * @returns The local files of each zone and what changed.
 * @throws {Error} When listing, downloading or writing fails, or a local path
 *   would fall outside its directory, naming the object.
 */
export async function mirrorArchive(
  store: ObjectStore,
  cacheDir: string,
  options: MirrorOptions,
): Promise<MirrorResult> {
  const { objects, skipped } = await _listZones(store, options.logger);
  const root = store.kind === "local" ? store.address : cacheDir;
  const files: ArchiveFiles = { raw: [], curated: [], dlq: [] };
  for (const object of objects) files[object.zone].push(localObjectPath(root, object.key));
  const result = { ...files, downloaded: 0, removed: 0, unchanged: objects.length, skipped };
  if (store.kind === "local") return result;

  await Deno.mkdir(cacheDir, { recursive: true });
  const manifestPath = `${cacheDir}/.manifest.json`;
  const manifest = await _readManifest(manifestPath);
  const stale = objects.filter((object) => manifest.get(object.key) !== object.etag);
  let next = 0;
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, async () => {
    while (next < stale.length) {
      const object = stale[next++]!;
      const path = localObjectPath(cacheDir, object.key);
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeFile(`${path}.part`, await store.get(object.key));
      await Deno.rename(`${path}.part`, path);
      manifest.set(object.key, object.etag);
    }
  }));
  const wanted = new Set(objects.map((object) => object.key));
  for (const key of manifest.keys()) {
    if (wanted.has(key)) continue;
    manifest.delete(key);
    const path = _removablePath(cacheDir, key);
    if (path === null) continue;
    await Deno.remove(path).catch(() => {});
    result.removed += 1;
  }
  await Deno.writeTextFile(manifestPath, JSON.stringify(Object.fromEntries(manifest)));
  result.downloaded = stale.length;
  result.unchanged = objects.length - stale.length;
  return result;
}
