import assert from "node:assert/strict";
import { createRateLimiter } from "../../edge/http/rate_limiter.ts";

Deno.test("[rate_limiter] allows a burst of one second, then refills at the rate per key", () => {
  let now = 0;
  const limiter = createRateLimiter(10, () => now);
  assert.deepEqual(limiter.take("a", 10), { ok: true });
  assert.deepEqual(limiter.take("a", 1), { ok: false, retryAfterSeconds: 1 });
  assert.deepEqual(limiter.take("b", 5), { ok: true });
  now = 500;
  assert.deepEqual(limiter.take("a", 5), { ok: true });
  assert.equal(limiter.take("a", 1).ok, false);
});

Deno.test("[rate_limiter] a request larger than the burst says how long to wait", () => {
  const limiter = createRateLimiter(100, () => 0);
  limiter.take("k", 100);
  assert.deepEqual(limiter.take("k", 1000), { ok: false, retryAfterSeconds: 1 });
});

Deno.test("[rate_limiter] the burst is one second's worth", () => {
  assert.equal(createRateLimiter(250).burst, 250);
});
