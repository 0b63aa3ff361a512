/**
 * Where an archive object lives under a local directory (the query cache, or
 * the local archive), refusing any key that would resolve outside it.
 *
 * @module
 */

import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * The local path of an object: `dir` joined with `key`, resolved.
 *
 * @param dir The directory holding objects under their keys.
 * @param key The object's key.
 * @returns The absolute path, strictly inside `dir`.
 * @throws {Error} When the key resolves to `dir` itself or outside it (`..`
 *   segments, an absolute key), naming the key, where it leads and the directory.
 * @example
 * ```ts
 * localObjectPath("data/query-cache/b", "pins/dt=2026-01-01/hour=00/0-…ndjson.gz");
 * // "/srv/pipeline/data/query-cache/b/pins/dt=2026-01-01/hour=00/0-…ndjson.gz"
 * localObjectPath("data/query-cache/b", "pins/../../../tmp/evil"); // throws
 * ```
 */
export function localObjectPath(dir: string, key: string): string {
  const root = resolve(dir);
  const path = resolve(root, key);
  const inside = relative(root, path);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    throw new Error(
      `Refusing to use object '${key}' at ${path}: it is outside ${root}; ` +
        `rename or delete the object in the bucket`,
    );
  }
  return path;
}
