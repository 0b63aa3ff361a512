import assert from "node:assert/strict";
import { createLocalStore } from "../../lib/archive/local_store.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

async function withStore(
  body: (store: ReturnType<typeof createLocalStore>, dir: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "local_store_test_" });
  const dir = `${root}/bucket`;
  const store = createLocalStore({ dir });
  try {
    await store.ensureBucket();
    await body(store, dir);
  } finally {
    await store.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("[local_store] put, get, overwrite, delete", async () => {
  await withStore(async (store, dir) => {
    assert.equal(store.kind, "local");
    assert.equal(store.address, dir);
    const key = "pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz";
    await store.put(key, encode("first"));
    assert.equal(decode(await store.get(key)), "first");
    assert.equal(decode(await Deno.readFile(`${dir}/${key}`)), "first");
    await store.put(key, encode("second, longer"));
    assert.equal(decode(await store.get(key)), "second, longer");
    await store.delete(key);
    await store.delete(key); // missing: not an error
    await assert.rejects(
      () => store.get(key),
      /Cannot get object 'pins\/.*' in .*: it does not exist/,
    );
  });
});

Deno.test("[local_store] list returns every object under a prefix in key order", async (t) => {
  await withStore(async (store) => {
    const keys = [
      "pins/dt=2026-01-02/hour=00/1-0-9.ndjson.gz",
      "pins/dt=2026-01-01/hour=01/0-10-19.ndjson.gz",
      "pins/dt=2026-01-01/hour=00/0-0-9.ndjson.gz",
      "pins/dt=2026-01-01/hour=00/1-0-4.ndjson.gz",
      "curated/dt=2026-01-01/part-0.parquet",
      "top-level.json",
    ];
    for (const [i, key] of keys.entries()) await store.put(key, encode("x".repeat(i + 1)));

    await t.step("whole bucket", async () => {
      assert.deepEqual((await store.list("")).map((o) => o.key), [...keys].sort());
    });
    await t.step("a directory prefix", async () => {
      assert.deepEqual((await store.list("pins/dt=2026-01-01/")).map((o) => o.key), [
        "pins/dt=2026-01-01/hour=00/0-0-9.ndjson.gz",
        "pins/dt=2026-01-01/hour=00/1-0-4.ndjson.gz",
        "pins/dt=2026-01-01/hour=01/0-10-19.ndjson.gz",
      ]);
    });
    await t.step("a prefix ending inside a name", async () => {
      assert.deepEqual((await store.list("pins/dt=2026-01-0")).length, 4);
      assert.deepEqual((await store.list("pins/dt=2026-01-01/hour=00/1-")).map((o) => o.key), [
        "pins/dt=2026-01-01/hour=00/1-0-4.ndjson.gz",
      ]);
      assert.deepEqual((await store.list("top")).map((o) => o.key), ["top-level.json"]);
    });
    await t.step("a prefix that matches nothing", async () => {
      assert.deepEqual(await store.list("nothing/here/"), []);
    });
    await t.step("size, etag and lastModified", async () => {
      const [info] = await store.list("curated/");
      assert.equal(info!.size, 5);
      assert.ok(info!.lastModified instanceof Date);
      const before = info!.etag;
      await new Promise((resolve) => setTimeout(resolve, 10));
      await store.put(info!.key, encode("changed content"));
      const [after] = await store.list("curated/");
      assert.notEqual(after!.etag, before);
    });
  });
});

Deno.test("[local_store] temporary files are never listed and never left behind", async () => {
  await withStore(async (store, dir) => {
    await Deno.mkdir(`${dir}/pins`, { recursive: true });
    await Deno.writeTextFile(`${dir}/pins/.a.json.1234.tmp`, "half written");
    await store.put("pins/a.json", encode("{}"));
    assert.deepEqual((await store.list("")).map((o) => o.key), ["pins/a.json"]);
    const names = await Array.fromAsync(Deno.readDir(`${dir}/pins`), (entry) => entry.name);
    assert.deepEqual(names.sort(), [".a.json.1234.tmp", "a.json"]);
  });
});

Deno.test("[local_store] concurrent puts of one key leave one whole object", async () => {
  await withStore(async (store) => {
    const bodies = Array.from({ length: 20 }, (_, i) => String(i).repeat(10_000 + i));
    await Promise.all(bodies.map((body) => store.put("k/one", encode(body))));
    assert.ok(bodies.includes(decode(await store.get("k/one"))));
    assert.deepEqual((await store.list("")).map((o) => o.key), ["k/one"]);
  });
});

Deno.test("[local_store] refuses keys that escape the directory or clash with temporaries", async () => {
  await withStore(async (store) => {
    for (const key of ["", "/abs", "a//b", "../x", "a/../../x", "a/.hidden", "a\\b", "a/"]) {
      await assert.rejects(
        () => store.put(key, encode("x")),
        /Cannot use .* as an object key/,
        key,
      );
    }
  });
});

Deno.test("[local_store] an unwritable directory is an error naming it", async () => {
  const root = await Deno.makeTempDir({ prefix: "local_store_test_" });
  try {
    await Deno.writeTextFile(`${root}/file`, "not a directory");
    const store = createLocalStore({ dir: `${root}/file/bucket` });
    await assert.rejects(() => store.ensureBucket(), new RegExp(`${root}/file/bucket`));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
