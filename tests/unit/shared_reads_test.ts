import assert from "node:assert/strict";
import { createSharedReads } from "../../lib/realtime/shared_reads.ts";

Deno.test("[shared reads] identical reads within the time-to-live share one read", async (t) => {
  let clock = 0;
  let reads = 0;
  const shared = createSharedReads(() => clock);
  const read = () => Promise.resolve(++reads);
  await t.step("a second read within the ttl gets the first's answer", async () => {
    assert.equal(await shared("a", 1000, read), 1);
    clock = 999;
    assert.equal(await shared("a", 1000, read), 1);
  });
  await t.step("another key, a ttl of 0 or an expired entry read again", async () => {
    assert.equal(await shared("b", 1000, read), 2);
    assert.equal(await shared("a", 0, read), 3);
    clock = 1000;
    assert.equal(await shared("a", 1000, read), 4);
  });
  await t.step("a failed read is not kept", async () => {
    await assert.rejects(shared("c", 1000, () => Promise.reject(new Error("down"))), /down/);
    await Promise.resolve();
    assert.equal(await shared("c", 1000, read), 5);
  });
});
