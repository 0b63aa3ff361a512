import assert from "node:assert/strict";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";

Deno.test("[uuid_v7] ids carry the version, variant and time, and sort by time", () => {
  let now = 1_764_000_000_000;
  const next = createUuidV7(() => now);
  const first = next();
  now += 1;
  const second = next();
  assert.match(first, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(first.replace(/-/g, "").slice(0, 12), 16), 1_764_000_000_000);
  assert.ok(first < second);
  assert.equal(new Set(Array.from({ length: 10_000 }, next)).size, 10_000);
});
