import assert from "node:assert/strict";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService("s3", {
  name: "[s3] objects in a fresh bucket are listed by prefix, read, and overwritten",
  async fn(t) {
    const endpoints = serviceEndpoints();
    const client = new S3Client({
      endpoint: endpoints.s3Endpoint,
      region: endpoints.s3Region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: endpoints.s3AccessKeyId,
        secretAccessKey: endpoints.s3SecretAccessKey,
      },
    });
    const bucket = `it-s3-${crypto.randomUUID().slice(0, 18)}`;
    const keys = [
      "pins/dt=2026-01-01/hour=00/0-0-9.ndjson",
      "pins/dt=2026-01-01/hour=01/0-10-19.ndjson",
      "curated/dt=2026-01-01/part-0.parquet",
    ];
    const read = async (key: string) => {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return await object.Body!.transformToString();
    };
    let created = false;
    try {
      await t.step("creates a bucket and puts objects", async () => {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        created = true;
        for (const key of keys) {
          await client.send(
            new PutObjectCommand({ Bucket: bucket, Key: key, Body: `first ${key}\n` }),
          );
        }
      });

      await t.step("ListObjectsV2 with a prefix returns only that prefix", async () => {
        const listed = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: "pins/dt=2026-01-01/" }),
        );
        assert.deepEqual(listed.Contents?.map((object) => object.Key).sort(), keys.slice(0, 2));
        assert.equal(listed.KeyCount, 2);
      });

      await t.step("gets an object, overwrites it, and gets the new body", async () => {
        assert.equal(await read(keys[0]!), `first ${keys[0]}\n`);
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: keys[0]!, Body: "second\n" }),
        );
        assert.equal(await read(keys[0]!), "second\n");
      });
    } finally {
      if (created) {
        for (const key of keys) {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => {});
        }
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      }
      client.destroy();
    }
  },
});
