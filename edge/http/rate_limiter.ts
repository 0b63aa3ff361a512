/**
 * A token-bucket rate limiter per key: `rate` events per second with a burst
 * of one second's worth.
 *
 * @module
 */

/** The outcome of {@linkcode RateLimiter.take}. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** A rate limiter. */
export interface RateLimiter {
  /** The most tokens one call can take: one second's worth. */
  readonly burst: number;
  /** Takes `cost` tokens for `key`, or says how long to wait. */
  take(key: string, cost: number): RateDecision;
}

/**
 * Creates a limiter.
 *
 * @param rate Events per second per key.
 * @param now The clock, in milliseconds.
 * @returns The limiter.
 */
export function createRateLimiter(rate: number, now: () => number = Date.now): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    burst: rate,
    take(key, cost) {
      const time = now();
      const bucket = buckets.get(key) ?? { tokens: rate, at: time };
      bucket.tokens = Math.min(rate, bucket.tokens + ((time - bucket.at) / 1000) * rate);
      bucket.at = time;
      buckets.set(key, bucket);
      if (bucket.tokens >= cost) {
        bucket.tokens -= cost;
        return { ok: true };
      }
      const missing = Math.min(cost, rate) - bucket.tokens;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(missing / rate)) };
    },
  };
}
