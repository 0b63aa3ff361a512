/**
 * Per-key rate limiting of ingest requests. Every request spends a token on
 * arrival, before its body is read, valid or not; once a handler learns how
 * many events the request carries it spends the rest. A batch larger than
 * the burst can never pass and is answered 413.
 *
 * @module
 */

import { HttpError } from "./http_error.ts";
import { createRateLimiter } from "./rate_limiter.ts";

/** Options of {@linkcode createRateGate}. */
export interface RateLimitOptions {
  /** Events per second per key, with a burst of one second's worth; 0 turns the limit off. */
  rate: number;
  /** The clock, in milliseconds. */
  now?: () => number;
  /** Told of each refusal with the events refused, for metrics. */
  onLimited?(events: number): void;
}

/** The two charges of a rate-limited request. */
export interface RateGate {
  /**
   * Spends the token of a request's arrival.
   *
   * @throws {HttpError} 429 when the key is out of tokens.
   */
  arrive(key: string): void;
  /**
   * Charges the request for `events` events in all (the token spent on
   * arrival counts as the first).
   *
   * @throws {HttpError} 413 when `events` exceeds the burst, 429 when the key is out of tokens.
   */
  spend(key: string, events: number): void;
}

/**
 * Creates the gate.
 *
 * @param options The rate, clock and refusal callback.
 * @returns The gate, or null when the rate is 0 (nothing is limited).
 */
export function createRateGate(options: RateLimitOptions): RateGate | null {
  const { rate, now = Date.now, onLimited } = options;
  if (!(rate > 0)) return null;
  const limiter = createRateLimiter(rate, now);

  function take(key: string, cost: number, events: number): void {
    const decision = limiter.take(key, cost);
    if (decision.ok) return;
    onLimited?.(events);
    throw new HttpError(429, `Rate limit of ${rate} events/s exceeded`, [], {
      "Retry-After": String(decision.retryAfterSeconds),
    });
  }

  return {
    arrive: (key) => take(key, 1, 1),
    spend(key, events) {
      if (events > limiter.burst) {
        onLimited?.(events);
        throw new HttpError(
          413,
          `Too many events for the rate limit: ${events} in one request, the limit is ${rate} events/s per key`,
          [{ path: "$", message: `Split the batch into requests of at most ${rate} events` }],
        );
      }
      if (events > 1) take(key, events - 1, events);
    },
  };
}
