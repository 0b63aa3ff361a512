/**
 * The local-directory adapter of the archive port, for `deno task dev` and
 * tests: each object is a file whose path under the directory is its key.
 * Writes are atomic and durable (temporary file, fsync, rename, fsync of the
 * directory), so a reader never sees half an object, and a crash leaves
 * either the old object or the new one.
 *
 * Keys are `/`-separated relative paths; no segment may be empty, `.`, `..`
 * or start with `.` (temporary files do, and listing skips them).
 *
 * @module
 */

import type { ObjectInfo, ObjectStore } from "./object_store.ts";

/** Options of {@linkcode createLocalStore}. */
export interface LocalStoreOptions {
  /** The directory standing for the bucket; created by `ensureBucket`. */
  dir: string;
}

function _checkKey(key: string): void {
  const bad = key === "" || key.includes("\\") || key.includes("\0") ||
    key.split("/").some((segment) => segment === "" || segment.startsWith("."));
  if (bad) {
    throw new Error(
      `Cannot use '${key}' as an object key: expected a relative path whose segments are non-empty and do not start with '.'`,
    );
  }
}

async function _writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

async function _syncDirectory(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  using dir = await Deno.open(path, { read: true });
  await dir.syncData();
}

/**
 * Creates a store in a local directory.
 *
 * @param options The directory.
 * @returns The store; `kind` is "local" and `address` the directory.
 * @throws {Error} When `dir` is empty.
 * @example
 * ```ts
 * const store = createLocalStore({ dir: "data/archive/pinterest-pipeline" });
 * await store.ensureBucket();
 * await store.put("pins/dt=2026-01-01/hour=00/a.ndjson.gz", bytes);
 * ```
 */
export function createLocalStore(options: LocalStoreOptions): ObjectStore {
  const dir = options.dir.replace(/\/+$/, "");
  if (dir === "") throw new Error("Cannot open the local archive: dir must be a non-empty path");

  async function ensureBucket(): Promise<void> {
    try {
      await Deno.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new Error(`Cannot create the local archive at ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Creates the key's parent directories, fsyncing the parent of each new one. */
  async function makeParents(segments: string[]): Promise<string> {
    let path = dir;
    for (const segment of segments) {
      const parent = path;
      path = `${path}/${segment}`;
      try {
        await Deno.mkdir(path);
        await _syncDirectory(parent);
      } catch (error) {
        if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      }
    }
    return path;
  }

  async function put(key: string, body: Uint8Array): Promise<void> {
    _checkKey(key);
    const segments = key.split("/");
    const name = segments.pop()!;
    let temporary: string | null = null;
    try {
      const parent = await makeParents(segments);
      temporary = `${parent}/.${name}.${crypto.randomUUID()}.tmp`;
      {
        using file = await Deno.open(temporary, { write: true, createNew: true });
        await _writeAll(file, body);
        await file.syncData();
      }
      await Deno.rename(temporary, `${parent}/${name}`);
      temporary = null;
      await _syncDirectory(parent);
    } catch (error) {
      if (temporary) await Deno.remove(temporary).catch(() => {});
      throw new Error(`Cannot put object '${key}' in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async function get(key: string): Promise<Uint8Array> {
    _checkKey(key);
    try {
      return await Deno.readFile(`${dir}/${key}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(`Cannot get object '${key}' in ${dir}: it does not exist`, {
          cause: error,
        });
      }
      throw new Error(`Cannot get object '${key}' in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async function walk(relative: string, prefix: string, into: ObjectInfo[]): Promise<void> {
    const path = relative === "" ? dir : `${dir}/${relative}`;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(path));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const key = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) {
          await walk(key, prefix, into);
        }
      } else if (entry.isFile && key.startsWith(prefix)) {
        const info = await Deno.stat(`${dir}/${key}`).catch(() => null);
        if (!info) continue; // deleted while listing
        const mtime = info.mtime ?? new Date(0);
        into.push({
          key,
          size: info.size,
          etag: `${info.size.toString(16)}-${mtime.getTime().toString(16)}`,
          lastModified: mtime,
        });
      }
    }
  }

  async function list(prefix: string): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    const start = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    try {
      await walk(start, prefix, objects);
    } catch (error) {
      throw new Error(
        `Cannot list objects under '${prefix}' in ${dir}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async function remove(key: string): Promise<void> {
    _checkKey(key);
    try {
      await Deno.remove(`${dir}/${key}`);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw new Error(`Cannot delete object '${key}' in ${dir}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  return {
    kind: "local",
    address: dir,
    ensureBucket,
    put,
    get,
    list,
    delete: remove,
    close: () => Promise.resolve(),
  };
}
