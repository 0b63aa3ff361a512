import assert from "node:assert/strict";
import { resolve } from "node:path";
import { localObjectPath } from "../../lib/query/local_path.ts";

const CACHE = "/srv/cache/bucket";

Deno.test("[local_path] a key becomes a path inside the directory", () => {
  assert.equal(
    localObjectPath(CACHE, "pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz"),
    "/srv/cache/bucket/pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz",
  );
  assert.equal(
    localObjectPath(`${CACHE}/`, "curated/a/../b.parquet"),
    `${CACHE}/curated/b.parquet`,
  );
  assert.equal(localObjectPath(CACHE, "..x/y"), `${CACHE}/..x/y`);
  assert.equal(localObjectPath("cache", "pins/a"), resolve("cache/pins/a"));
});

Deno.test("[local_path] refuses keys that resolve outside the directory or onto it", async (t) => {
  for (
    const key of [
      "pins/dt=2026-01-01/hour=00/../../../../tmp/evil.ndjson.gz",
      "../bucket-evil/x",
      "..",
      "/etc/passwd",
      "pins/../..",
      "",
      ".",
      "pins/..",
    ]
  ) {
    await t.step(JSON.stringify(key), () => {
      assert.throws(
        () => localObjectPath(CACHE, key),
        (error: Error) => {
          assert.match(
            error.message,
            /^Refusing to use object '.*' at .*: it is outside \/srv\/cache\/bucket; rename or delete the object in the bucket$/,
          );
          assert.ok(error.message.includes(`'${key}'`));
          return true;
        },
      );
    });
  }
});
