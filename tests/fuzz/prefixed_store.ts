/**
 * An object-store adapter that puts every key under a prefix, so that each
 * fuzz case has an archive of its own inside one bucket or directory.
 *
 * @module
 */

import type { ObjectStore } from "../../lib/archive/object_store.ts";

/**
 * Wraps a store: keys are read and written under `prefix`, listed without it.
 * `ensureBucket` and `close` are passed to the wrapped store's owner: they do nothing.
 *
 * @param store The shared store.
 * @param prefix E.g. `case-7/`.
 * @returns The store of one case.
 */
export function prefixedStore(store: ObjectStore, prefix: string): ObjectStore {
  return {
    kind: store.kind,
    address: `${store.address} (${prefix})`,
    ensureBucket: () => Promise.resolve(),
    put: (key, body, contentType) => store.put(prefix + key, body, contentType),
    get: (key) => store.get(prefix + key),
    async list(keyPrefix) {
      const objects = await store.list(prefix + keyPrefix);
      return objects.map((object) => ({ ...object, key: object.key.slice(prefix.length) }));
    },
    delete: (key) => store.delete(prefix + key),
    close: () => Promise.resolve(),
  };
}
