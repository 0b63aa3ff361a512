/**
 * The S3 adapter of the archive port, on `@aws-sdk/client-s3`: path-style
 * addressing (any S3-compatible server: S3Proxy, MinIO, AWS), the SDK's
 * standard retry strategy with backoff, paginated listing.
 *
 * @module
 */

import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type { Logger } from "../runtime/logger.ts";
import type { ObjectInfo, ObjectStore } from "./object_store.ts";

/** Options of {@linkcode createS3Store}. */
export interface S3StoreOptions {
  /** The endpoint URL, e.g. `http://127.0.0.1:9000`. */
  endpoint: string;
  bucket: string;
  region: string;
  logger: Logger;
  /** Explicit keys; without them the SDK's default chain reads `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per request, retries included, with the SDK's backoff (default 5). */
  maxAttempts?: number;
  /** Milliseconds to open a connection (default 3000). */
  connectionTimeoutMs?: number;
  /** Milliseconds a request may stay silent before it fails (default 60000). */
  requestTimeoutMs?: number;
}

function _status(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
}

function _describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: string }).code;
  const status = _status(error);
  const parts = [error.name !== "Error" ? error.name : "", error.message, code ?? ""]
    .filter((part, i, all) => part !== "" && all.indexOf(part) === i);
  if (status !== undefined) parts.push(`HTTP ${status}`);
  return parts.join(": ") || "unknown error";
}

/**
 * Creates an S3 object store. Nothing is contacted until the first call;
 * {@linkcode ObjectStore.ensureBucket} is the usual first one and fails with
 * the endpoint in the message when S3 cannot be reached.
 *
 * @param options Endpoint, bucket, region, logger, optional credentials.
 * @returns The store; `kind` is "s3" and `address` `s3://<bucket> @ <endpoint>`.
 * @throws {Error} When the endpoint is not a URL or the bucket name is empty.
 * @example
 * ```ts
 * const store = createS3Store({
 *   endpoint: "http://127.0.0.1:9000", bucket: "pins-archive", region: "us-east-1", logger,
 * });
 * await store.ensureBucket();
 * ```
 */
export function createS3Store(options: S3StoreOptions): ObjectStore {
  const {
    endpoint,
    bucket,
    region,
    logger,
    credentials,
    maxAttempts = 5,
    connectionTimeoutMs = 3000,
    requestTimeoutMs = 60_000,
  } = options;
  try {
    new URL(endpoint);
  } catch (error) {
    throw new Error(`Cannot parse S3_ENDPOINT as a URL: current value is '${endpoint}'`, {
      cause: error,
    });
  }
  if (bucket === "") throw new Error("Cannot open the S3 archive: S3_BUCKET is empty");
  const address = `s3://${bucket} @ ${endpoint}`;
  const client = new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials,
    maxAttempts,
    retryMode: "standard",
    // The archive writes whole buffers it already holds; TCP (and TLS on real
    // endpoints) protects them in transit, and CRC32 in JS costs CPU per byte.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: connectionTimeoutMs, requestTimeout: requestTimeoutMs },
  });

  function fail(action: string, error: unknown): Error {
    return new Error(`Cannot ${action} at ${address}: ${_describe(error)}`, { cause: error });
  }

  async function ensureBucket(): Promise<void> {
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
      return;
    } catch (error) {
      if (_status(error) !== 404) throw fail("reach the bucket", error);
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      logger.info("Created the bucket", { address });
    } catch (error) {
      const name = (error as Error).name;
      if (name === "BucketAlreadyOwnedByYou" || name === "BucketAlreadyExists") return;
      throw fail("create the bucket", error);
    }
  }

  async function put(key: string, body: Uint8Array, contentType?: string): Promise<void> {
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw fail(`put object '${key}'`, error);
    }
  }

  async function get(key: string): Promise<Uint8Array> {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) return new Uint8Array();
      return await object.Body.transformToByteArray();
    } catch (error) {
      if ((error as Error).name === "NoSuchKey" || _status(error) === 404) {
        throw new Error(`Cannot get object '${key}' at ${address}: it does not exist`, {
          cause: error,
        });
      }
      throw fail(`get object '${key}'`, error);
    }
  }

  async function list(prefix: string): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (error) {
        throw fail(`list objects under '${prefix}'`, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        objects.push({
          key: object.Key,
          size: object.Size ?? 0,
          etag: (object.ETag ?? "").replaceAll('"', ""),
          lastModified: object.LastModified ?? new Date(0),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async function remove(key: string): Promise<void> {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      if (_status(error) === 404) return;
      throw fail(`delete object '${key}'`, error);
    }
  }

  function close(): Promise<void> {
    client.destroy();
    return Promise.resolve();
  }

  return { kind: "s3", address, ensureBucket, put, get, list, delete: remove, close };
}
