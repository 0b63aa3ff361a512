/**
 * Per-key rate limiting as Hono middleware. Every request spends a token on
 * arrival, before its body is read, valid or not; a handler that learns how
 * many events the request carries spends the rest with `c.var.spendEvents`.
 * A batch larger than the burst can never pass and is answered 413.
 *
 * @module
 */

import { createMiddleware } from "hono/factory";
import type { ApiKeyEnv } from "./api_key_auth.ts";
import { HttpError } from "./http_error.ts";
import { createRateLimiter } from "./rate_limiter.ts";

/** The variables {@linkcode rateLimit} reads and sets on the context. */
export interface RateLimitEnv {
  Variables: ApiKeyEnv["Variables"] & {
    /**
     * Charges the request for `events` events in all (the token spent on
     * arrival counts as the first).
     *
     * @throws {HttpError} 413 when `events` exceeds the burst, 429 when the key is out of tokens.
     */
    spendEvents(events: number): void;
  };
}

/** Options of {@linkcode rateLimit}. */
export interface RateLimitOptions {
  /** Events per second per key, with a burst of one second's worth; 0 turns the limit off. */
  rate: number;
  /** The clock, in milliseconds. */
  now?: () => number;
  /** Told of each refusal with the events refused, for metrics. */
  onLimited?(events: number): void;
}

/**
 * Creates the middleware. It keys on `c.var.apiKey` (see `apiKeyAuth`), so
 * it runs after authentication.
 *
 * @param options The rate, clock and refusal callback.
 * @returns The middleware.
 * @example
 * ```ts
 * app.on("POST", "/pins", apiKeyAuth({ keys }), rateLimit({ rate: 1000 }), async (c) => {
 *   const items = parse(await c.req.text());
 *   c.var.spendEvents(items.length);
 *   // ...
 * });
 * ```
 */
export function rateLimit(options: RateLimitOptions) {
  const { rate, now = Date.now, onLimited } = options;
  const limiter = rate > 0 ? createRateLimiter(rate, now) : null;

  function take(key: string, cost: number, events: number): void {
    const decision = limiter!.take(key, cost);
    if (decision.ok) return;
    onLimited?.(events);
    throw new HttpError(429, `Rate limit of ${rate} events/s exceeded`, [], {
      "Retry-After": String(decision.retryAfterSeconds),
    });
  }

  return createMiddleware<RateLimitEnv>(async (c, next) => {
    if (!limiter) {
      c.set("spendEvents", () => {});
      return await next();
    }
    const key = c.var.apiKey;
    take(key, 1, 1);
    c.set("spendEvents", (events) => {
      if (events > limiter.burst) {
        onLimited?.(events);
        throw new HttpError(
          413,
          `Too many events for the rate limit: ${events} in one request, the limit is ${rate} events/s per key`,
          [{ path: "$", message: `Split the batch into requests of at most ${rate} events` }],
        );
      }
      if (events > 1) take(key, events - 1, events);
    });
    await next();
  });
}
