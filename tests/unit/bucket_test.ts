import assert from "node:assert/strict";
import { fnv1a32, pinBucket } from "../../lib/history/bucket.ts";

Deno.test("[batch] fnv1a32 matches the reference vectors", () => {
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
});

Deno.test("[batch] pinBucket is stable, in range, and spreads ids evenly", () => {
  assert.equal(
    pinBucket("0190f7b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b"),
    pinBucket("0190f7b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b"),
  );
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 16_000; i++) {
    const bucket = pinBucket(crypto.randomUUID());
    assert.ok(bucket >= 0 && bucket < 16);
    counts[bucket]++;
  }
  for (const count of counts) assert.ok(count > 800 && count < 1200, `uneven buckets: ${counts}`);
});
