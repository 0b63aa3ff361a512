import assert from "node:assert/strict";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";
import { dropBucket, s3Credentials } from "../fixtures/archive_objects.ts";

const endpoints = serviceEndpoints();
const silent = createLogger({ level: "silent" });
const credentials = s3Credentials();
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function withBucket(body: (store: ObjectStore, bucket: string) => Promise<void>) {
  const bucket = `it-s3-store-${crypto.randomUUID().slice(0, 13)}`;
  const store = createS3Store({
    endpoint: endpoints.s3Endpoint,
    bucket,
    region: endpoints.s3Region,
    logger: silent,
    credentials,
  });
  try {
    await store.ensureBucket();
    await body(store, bucket);
  } finally {
    await store.close();
    await dropBucket(bucket);
  }
}

await testWithService("s3", {
  name: "[s3_store] creates its bucket once, puts, gets, overwrites and deletes objects",
  async fn() {
    await withBucket(async (store, bucket) => {
      assert.equal(store.kind, "s3");
      assert.equal(store.address, `s3://${bucket} @ ${endpoints.s3Endpoint}`);
      await store.ensureBucket(); // already there: not an error
      const key = "pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz";
      await store.put(key, encode("first"), "application/gzip");
      assert.equal(decode(await store.get(key)), "first");
      await store.put(key, encode("second, longer"));
      assert.equal(decode(await store.get(key)), "second, longer");
      const [info] = await store.list(key);
      assert.equal(info!.key, key);
      assert.equal(info!.size, 14);
      assert.match(info!.etag, /^[0-9a-f-]+$/);
      await store.delete(key);
      await store.delete(key);
      await assert.rejects(
        () => store.get(key),
        /Cannot get object '.*' at s3:\/\/.*: it does not exist/,
      );
    });
  },
});

await testWithService("s3", {
  name: "[s3_store] list follows every page, in key order, filtered by prefix",
  async fn() {
    await withBucket(async (store) => {
      const keys = Array.from(
        { length: 1010 },
        (_, i) => `pins/dt=2026-01-01/hour=00/0-${String(i).padStart(20, "0")}.ndjson.gz`,
      );
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < keys.length) {
          const key = keys[next++]!;
          await store.put(key, encode(key));
        }
      }));
      await store.put("curated/dt=2026-01-01/part-0.parquet", encode("p"));
      const listed = await store.list("pins/");
      assert.equal(listed.length, 1010);
      assert.deepEqual(listed.map((object) => object.key), keys);
      assert.equal((await store.list("")).length, 1011);
      assert.deepEqual(await store.list("nothing/"), []);
    });
  },
});

await testWithService("s3", {
  name: "[s3_store] an unreachable endpoint is an error naming the address",
  async fn() {
    const store = createS3Store({
      endpoint: "http://127.0.0.1:1",
      bucket: "unreachable",
      region: "us-east-1",
      logger: silent,
      credentials,
      maxAttempts: 2,
    });
    try {
      await assert.rejects(
        () => store.ensureBucket(),
        /Cannot reach the bucket at s3:\/\/unreachable @ http:\/\/127\.0\.0\.1:1: /,
      );
      await assert.rejects(() => store.put("a", encode("x")), /127\.0\.0\.1:1/);
    } finally {
      await store.close();
    }
  },
});

await testWithService("s3", {
  name: "[s3_store] wrong credentials are an error naming the address, not a silent success",
  async fn() {
    const store = createS3Store({
      endpoint: endpoints.s3Endpoint,
      bucket: `it-s3-store-${crypto.randomUUID().slice(0, 13)}`,
      region: endpoints.s3Region,
      logger: silent,
      credentials: { accessKeyId: "nobody", secretAccessKey: "wrong" },
      maxAttempts: 1,
    });
    try {
      await assert.rejects(() => store.ensureBucket(), /Cannot .* at s3:\/\/it-s3-store-/);
    } finally {
      await store.close();
    }
  },
});
