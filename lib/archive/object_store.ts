/**
 * The archive port: a bucket of objects addressed by key. Adapters: S3
 * (`s3_store.ts`, any S3-compatible server, path-style) and a local
 * directory with the same key layout (`local_store.ts`) for `deno task dev`.
 *
 * The pipeline's key layout (raw and curated zones) is `archive_key.ts`.
 *
 * @module
 */

/** An object's listing entry. */
export interface ObjectInfo {
  key: string;
  size: number;
  /** Changes whenever the content changes (S3 ETag, or size+mtime locally). */
  etag: string;
  lastModified: Date;
}

/** A bucket of objects. */
export interface ObjectStore {
  /** "s3" or "local", for the banner and logs. */
  readonly kind: "s3" | "local";
  /** Where it lives: `s3://bucket @ endpoint`, or a directory. */
  readonly address: string;
  /** Creates the bucket (or directory) when missing. */
  ensureBucket(): Promise<void>;
  /** Writes an object whole, replacing any object at that key. Durable when it resolves. */
  put(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  /** Reads an object whole. @throws When it does not exist, naming the key. */
  get(key: string): Promise<Uint8Array>;
  /** Lists every object whose key starts with `prefix`, in key order (all pages). */
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
