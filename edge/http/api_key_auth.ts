/**
 * API-key authentication as Hono middleware. The key comes from
 * `Authorization: Bearer <key>`, `X-API-Key: <key>`, or the password of
 * `Authorization: Basic` (so a browser's login prompt can open the
 * dashboard). Keys are compared as SHA-256 digests with a timing-safe
 * comparison, against every configured key, so the time taken says nothing
 * about how much of a key was right.
 *
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import { HttpError } from "./http_error.ts";

/** The variables {@linkcode apiKeyAuth} sets on the context. */
export interface ApiKeyEnv {
  Variables: {
    /** The key the request proved, or `"anonymous"` when no keys are configured. */
    apiKey: string;
  };
}

/** Options of {@linkcode apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  /** The accepted keys; empty lets every request through as `"anonymous"`. */
  keys: readonly string[];
  /** The `WWW-Authenticate` challenge of a 401 (default `Bearer`). */
  challenge?: string;
}

function _digest(key: string): Buffer {
  return createHash("sha256").update(key, "utf8").digest();
}

/**
 * The key a request presents, from its headers.
 *
 * @param headers The request's headers.
 * @returns The key, or null when the request carries none.
 */
export function presentedKey(headers: Headers): string | null {
  const authorization = headers.get("authorization")?.trim() ?? "";
  const [scheme = "", credentials = ""] = authorization.split(/\s+/, 2);
  if (scheme.toLowerCase() === "bearer" && credentials !== "") return credentials;
  if (scheme.toLowerCase() === "basic" && credentials !== "") {
    try {
      const decoded = atob(credentials);
      return decoded.slice(decoded.indexOf(":") + 1);
    } catch {
      return null;
    }
  }
  return headers.get("x-api-key");
}

/**
 * Builds a matcher that tells whether a key is one of `keys`, in time that
 * depends on neither the key's content nor which key it matches.
 *
 * @param keys The accepted keys.
 * @returns The matcher.
 */
export function keyMatcher(keys: readonly string[]): (key: string) => boolean {
  const digests = keys.map(_digest);
  return function matches(key) {
    const digest = _digest(key);
    let found = false;
    for (const known of digests) found = timingSafeEqual(digest, known) || found;
    return found;
  };
}

/**
 * Builds the check of a request's key: it returns the key the headers
 * prove, or throws a 401 with `challenge`.
 *
 * @param options The keys and the challenge.
 * @returns The check, or null when no keys are configured (every request passes).
 */
export function keyCheck(options: ApiKeyAuthOptions): ((headers: Headers) => string) | null {
  const { keys, challenge = "Bearer" } = options;
  if (keys.length === 0) return null;
  const matches = keyMatcher(keys);
  return function check(headers) {
    const key = presentedKey(headers);
    if (key === null || !matches(key)) {
      throw new HttpError(401, key === null ? "Missing API key" : "Unknown API key", [
        {
          path: "Authorization",
          message: "Send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
        },
      ], { "WWW-Authenticate": challenge });
    }
    return key;
  };
}

/**
 * Creates the middleware: with keys configured, a request without one of
 * them is answered 401 and goes no further; the key it proved is set as
 * `c.var.apiKey`.
 *
 * @param options The keys and the challenge.
 * @returns The middleware.
 * @example
 * ```ts
 * app.use("/realtime/*", apiKeyAuth({ keys: config.read.apiKeys }));
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions) {
  const check = keyCheck(options);
  return createMiddleware<ApiKeyEnv>(async (c, next) => {
    c.set("apiKey", check === null ? "anonymous" : check(c.req.raw.headers));
    await next();
  });
}
