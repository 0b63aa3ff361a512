/**
 * Tells a backing service that is down or slow from a bug: connection
 * failures and timeouts of PostgreSQL (postgres.js), Cassandra (the
 * DataStax driver), Deno's sockets and Node's, anywhere in the `cause`
 * chain. The edge answers those 503 with `Retry-After`, not 500.
 *
 * @module
 */

const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  // postgres.js
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // PostgreSQL: shutting down, starting up, too many connections
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

const NAMES = new Set([
  // cassandra-driver
  "NoHostAvailableError",
  "OperationTimedOutError",
  "BusyConnectionError",
  // AbortSignal.timeout() and deadlines
  "TimeoutError",
  // Deno.errors
  "ConnectionRefused",
  "ConnectionReset",
  "ConnectionAborted",
  "NotConnected",
  "TimedOut",
  "BrokenPipe",
]);

/**
 * Whether an error means a service did not answer, rather than a fault.
 *
 * @param error What was thrown.
 * @returns True for connection failures and timeouts (PostgreSQL class 08
 * errors included), looking through up to 5 levels of `cause`.
 */
export function isUnavailable(error: unknown): boolean {
  let current = error;
  for (let level = 0; level < 5 && typeof current === "object" && current !== null; level++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string" && (CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof name === "string" && NAMES.has(name)) return true;
    current = cause;
  }
  return false;
}
