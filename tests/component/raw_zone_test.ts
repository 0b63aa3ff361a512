import assert from "node:assert/strict";
import { archiveKey } from "../../lib/archive/archive_key.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { listDayInputs, listRawDays } from "../../lib/batch/raw_zone.ts";

Deno.test("[raw_zone] the batch's inputs are the objects named by the archive layout", async () => {
  const dir = await Deno.makeTempDir({ prefix: "raw-zone-" });
  const store = createLocalStore({ dir });
  try {
    const day1 = archiveKey("dt=2026-01-01/hour=00", 0, 0, 9);
    const day1Later = archiveKey("dt=2026-01-01/hour=23", 1, 5, 6);
    const day2 = archiveKey("dt=2026-01-02/hour=00", 0, 10, 19);
    const strays = [
      "pins/dt=2026-01-01/x.ndjson.gz",
      "pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz",
      "pins/dt=2026-01-03/hour=00/notes.txt",
      "curated/dt=2026-01-01/part-0.parquet",
    ];
    for (const key of [day1, day1Later, day2, ...strays]) {
      await store.put(key, new Uint8Array([1]));
    }
    const days = await listRawDays(store);
    assert.deepEqual([...days.keys()], ["2026-01-01", "2026-01-02"]);
    assert.deepEqual(days.get("2026-01-01")!.map((input) => input.key), [day1, day1Later]);
    assert.deepEqual((await listDayInputs(store, "2026-01-01")).map((input) => input.key), [
      day1,
      day1Later,
    ]);
    assert.deepEqual(await listDayInputs(store, "2026-01-03"), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
