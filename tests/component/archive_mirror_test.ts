import assert from "node:assert/strict";
import { archiveKey, curatedKey, DLQ_PREFIX } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { mirrorArchive } from "../../lib/query/archive_mirror.ts";
import { createLogger } from "../../lib/runtime/logger.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const EVIL = "pins/dt=2026-01-01/hour=00/../../../../tmp/evil.ndjson.gz";

/**
 * A bucket seen as S3: the objects of a local directory, plus objects under
 * keys that S3 accepts and a directory cannot hold (`..` segments).
 */
function s3Bucket(store: ObjectStore, foreign: Map<string, Uint8Array>): ObjectStore {
  return {
    ...store,
    kind: "s3",
    async list(prefix) {
      const extra = [...foreign.keys()].filter((key) => key.startsWith(prefix)).map((key) => ({
        key,
        size: foreign.get(key)!.length,
        etag: "foreign",
        lastModified: new Date(0),
      }));
      return [...await store.list(prefix), ...extra].sort((a, b) => (a.key < b.key ? -1 : 1));
    },
    get: (key) => foreign.has(key) ? Promise.resolve(foreign.get(key)!) : store.get(key),
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("[archive_mirror] mirrors only keys of the archive layout, never outside the cache", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "mirror-" });
  const cache = `${dir}/cache/bucket`;
  const lines: string[] = [];
  const logger = createLogger({ level: "warn", write: (line) => lines.push(line) });
  const local = createLocalStore({ dir: `${dir}/bucket` });
  const raw = archiveKey("dt=2026-01-01/hour=00", 0, 0, 9);
  const curated = curatedKey("2026-01-01");
  const dlq = archiveKey("dt=2026-01-01/hour=00", 0, 0, 0, DLQ_PREFIX);
  const bucket = s3Bucket(
    local,
    new Map([[EVIL, encode("{}\n")], ["curated/../../escape.parquet", encode("p")]]),
  );
  try {
    await local.ensureBucket();
    await local.put(raw, encode("{}\n"));
    await local.put(curated, encode("parquet"));
    await local.put(dlq, encode("{}\n"));
    await local.put("pins/dt=2026-01-01/hour=00/notes.txt", encode("n"));
    await t.step("layout keys are downloaded, the others skipped and logged once", async () => {
      const result = await mirrorArchive(bucket, cache, { logger });
      assert.deepEqual(result, {
        raw: [`${cache}/${raw}`],
        curated: [`${cache}/${curated}`],
        dlq: [`${cache}/${dlq}`],
        downloaded: 3,
        removed: 0,
        unchanged: 0,
        skipped: 3,
      });
      assert.equal(await Deno.readTextFile(`${cache}/${raw}`), "{}\n");
      assert.equal(await exists(`${dir}/cache/tmp/evil.ndjson.gz`), false);
      assert.equal(await exists(`${dir}/escape.parquet`), false);
      assert.equal(await exists(`${cache}/pins/dt=2026-01-01/hour=00/notes.txt`), false);
      assert.equal(lines.length, 1);
      const line = JSON.parse(lines[0]!);
      assert.equal(
        line.msg,
        "Skipping objects whose keys are not in the archive layout",
      );
      assert.equal(line.skipped, 3);
      assert.deepEqual(line.keys, [
        EVIL,
        "pins/dt=2026-01-01/hour=00/notes.txt",
        "curated/../../escape.parquet",
      ]);
    });
    await t.step(
      "unchanged objects are not downloaded again; deleted ones are removed",
      async () => {
        assert.equal((await mirrorArchive(bucket, cache, { logger })).unchanged, 3);
        await local.delete(curated);
        const result = await mirrorArchive(bucket, cache, { logger });
        assert.deepEqual([result.downloaded, result.removed, result.unchanged], [0, 1, 2]);
        assert.equal(await exists(`${cache}/${curated}`), false);
      },
    );
    await t.step(
      "former entries outside the layout: removed inside the cache, never outside",
      async () => {
        const outside = `${dir}/cache/tmp/evil.ndjson.gz`;
        const stray = "pins/dt=2026-01-01/stray.ndjson.gz";
        await Deno.mkdir(`${dir}/cache/tmp`, { recursive: true });
        await Deno.writeTextFile(outside, "written by a mirror that followed the key");
        await Deno.writeTextFile(`${cache}/${stray}`, "written by a mirror without the layout");
        const manifest = JSON.parse(await Deno.readTextFile(`${cache}/.manifest.json`));
        await Deno.writeTextFile(
          `${cache}/.manifest.json`,
          JSON.stringify({ ...manifest, [EVIL]: "old", [stray]: "old" }),
        );
        const result = await mirrorArchive(bucket, cache, { logger });
        assert.equal(result.removed, 1);
        assert.equal(await exists(outside), true);
        assert.equal(await exists(`${cache}/${stray}`), false);
        assert.deepEqual(
          Object.keys(JSON.parse(await Deno.readTextFile(`${cache}/.manifest.json`))).sort(),
          [dlq, raw],
        );
      },
    );
    await t.step("a local archive is read in place, with the same filter", async () => {
      const result = await mirrorArchive(local, `${dir}/unused`, { logger });
      assert.deepEqual(result.raw, [`${dir}/bucket/${raw}`]);
      assert.deepEqual(result.curated, []);
      assert.deepEqual(result.dlq, [`${dir}/bucket/${dlq}`]);
      assert.equal(result.skipped, 1);
      assert.equal(await exists(`${dir}/unused`), false);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
