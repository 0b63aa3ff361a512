import assert from "node:assert/strict";
import { archiveKey } from "../../lib/archive/archive_key.ts";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { queryArchive } from "../../lib/query/query_runner.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropBucket, s3Credentials } from "../fixtures/archive_objects.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

const endpoints = serviceEndpoints();
const encode = (text: string) => new TextEncoder().encode(text);
const EVIL = "pins/dt=2026-01-01/hour=00/../../../../tmp/evil.ndjson.gz";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

await testWithService("s3", {
  name: "[query] the S3 mirror writes only layout keys, and only inside its cache",
  async fn(t) {
    const bucket = `it-query-mirror-${crypto.randomUUID().slice(0, 13)}`;
    const dir = await Deno.makeTempDir({ prefix: "query-mirror-" });
    const cache = `${dir}/cache/${bucket}`;
    const lines: string[] = [];
    const store = createS3Store({
      endpoint: endpoints.s3Endpoint,
      bucket,
      region: endpoints.s3Region,
      logger: createLogger({ level: "silent" }),
      credentials: s3Credentials(),
    });
    try {
      await store.ensureBucket();
      const raw = archiveKey("dt=2026-01-01/hour=00", 0, 0, 1);
      await store.put(raw, await gzipBytes(encode('{"poster_name":"a"}\n{"poster_name":"b"}\n')));
      const strays = [
        "pins/dt=2026-01-01/hour=00/..%2F..%2F..%2F..%2Ftmp%2Fevil.ndjson.gz",
        "pins/dt=2026-01-01/hour=00/notes.txt",
      ];
      for (const key of strays) await store.put(key, encode("stray"));
      // S3 accepts any key; S3Proxy's filesystem backend refuses `..` segments (HTTP 400).
      const evilStored = await store.put(EVIL, await gzipBytes(encode("{}\n"))).then(
        () => true,
        () => false,
      );
      const skipped = evilStored ? [EVIL, ...strays].sort() : strays;

      const result = await mirrorArchive(store, cache, {
        logger: createLogger({ level: "warn", write: (line) => lines.push(line) }),
      });
      await t.step("only the layout's object is downloaded, into the cache", async () => {
        assert.deepEqual(result.raw, [`${cache}/${raw}`]);
        assert.deepEqual([result.downloaded, result.skipped], [1, skipped.length]);
        const written = (await Array.fromAsync(Deno.readDir(`${cache}/pins/dt=2026-01-01/hour=00`)))
          .map((entry) => entry.name);
        assert.deepEqual(written, [raw.slice(raw.lastIndexOf("/") + 1)]);
      });
      await t.step("the skipped keys are logged once", () => {
        assert.equal(lines.length, 1);
        assert.deepEqual(JSON.parse(lines[0]!).keys, skipped);
      });
      await t.step({
        name: `a key with '..' segments writes nothing outside the cache${
          evilStored ? "" : " (ignored: this S3 server refuses such keys)"
        }`,
        ignore: !evilStored,
        async fn() {
          assert.equal(await exists(`${dir}/cache/tmp/evil.ndjson.gz`), false);
        },
      });
      await t.step("the mirror answers SQL", async () => {
        const answer = await queryArchive(result, "SELECT poster_name FROM pins_raw ORDER BY 1");
        assert.deepEqual(answer.rows, [["a"], ["b"]]);
      });
    } finally {
      await store.close();
      await dropBucket(bucket);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
