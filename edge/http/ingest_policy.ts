/**
 * The ingest policy as one Hono middleware: the API key, the per-key rate
 * limit, the cap on body bytes in flight, then the body read within its
 * limit and decompressed, in that order. A policy the configuration turns
 * off (no keys, a rate of 0) is not run at all.
 *
 * @module
 */

import { createMiddleware } from "hono/factory";
import { keyCheck } from "./api_key_auth.ts";
import { createByteReservations } from "./in_flight_bytes.ts";
import { createRateGate } from "./rate_limit.ts";
import { readRequestBody } from "./request_body.ts";

/** The variables {@linkcode ingestPolicy} sets on the context. */
export interface IngestPolicyEnv {
  Variables: {
    /** The body, decompressed, at most `maxBodyBytes` long. */
    body: Uint8Array;
    /**
     * Charges the request for `events` events in all (the token spent on
     * arrival counts as the first).
     *
     * @throws {HttpError} 413 when `events` exceeds the burst, 429 when the key is out of tokens.
     */
    spendEvents(events: number): void;
  };
}

/** Options of {@linkcode ingestPolicy}. */
export interface IngestPolicyOptions {
  /** The accepted API keys; empty lets every request through. */
  keys: readonly string[];
  /** Events per second per key, with a burst of one second's worth; 0 turns the limit off. */
  rate: number;
  /** Most bytes of request bodies reserved at once. */
  capBytes: number;
  /** Most bytes of one body, before and after decompression. */
  maxBodyBytes: number;
  /** The clock of the rate limit, in milliseconds. */
  now?: () => number;
  /** Told of each rate-limit refusal with the events refused. */
  onLimited?(events: number): void;
  /** Told of the body bytes reserved after each change. */
  onReserved?(bytes: number): void;
}

function _spendNothing(): void {}

/**
 * Creates the middleware. It answers 401 (key), 429 or 413 (rate), 503
 * (bytes in flight, before the body is read), 413, 415 or 400 (body);
 * otherwise it leaves the body in `c.var.body` and gives back its reserved
 * bytes once the request is answered.
 *
 * @param options The keys, rate, byte limits, clock and metrics callbacks.
 * @returns The middleware.
 * @throws {RangeError} When `capBytes` is below `maxBodyBytes`.
 * @example
 * ```ts
 * app.post("/pins", ingestPolicy({ keys, rate: 1000, capBytes, maxBodyBytes }), (c) => {
 *   c.var.spendEvents(count(c.var.body));
 *   // ...
 * });
 * ```
 */
export function ingestPolicy(options: IngestPolicyOptions) {
  const { maxBodyBytes } = options;
  const check = keyCheck({ keys: options.keys });
  const gate = createRateGate({
    rate: options.rate,
    now: options.now,
    onLimited: options.onLimited,
  });
  const reservations = createByteReservations({
    capBytes: options.capBytes,
    maxBodyBytes,
    onChange: options.onReserved,
  });
  return createMiddleware<IngestPolicyEnv>(async (c, next) => {
    const raw = c.req.raw;
    if (gate === null) {
      if (check !== null) check(raw.headers);
      c.set("spendEvents", _spendNothing);
    } else {
      const key = check === null ? "anonymous" : check(raw.headers);
      gate.arrive(key);
      c.set("spendEvents", (events) => gate.spend(key, events));
    }
    const bytes = reservations.reserve(raw.headers);
    try {
      c.set("body", await readRequestBody(raw, maxBodyBytes));
      await next();
    } finally {
      reservations.release(bytes);
    }
  });
}
