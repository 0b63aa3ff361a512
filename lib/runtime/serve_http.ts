/**
 * `Deno.serve` for the pipeline's processes: resolves once the port is bound,
 * with the URL to log, and turns a port that cannot be bound into an error
 * naming the address and the variable that sets it.
 *
 * @module
 */

import { ConfigError } from "./env_vars.ts";

/** Where to listen, and the variable that chose the port (for the error). */
export interface ServeHttpOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** E.g. `PORT` or `METRICS_PORT`. */
  portVariable: string;
}

/** A bound HTTP server. */
export interface HttpServer {
  /** `http://host:port` with the port actually bound; `localhost` for `0.0.0.0`. */
  url: string;
  shutdown(): Promise<void>;
}

function _reason(error: unknown, portVariable: string): string {
  if (error instanceof Deno.errors.AddrInUse) {
    return `address already in use (set ${portVariable})`;
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return `permission denied (set ${portVariable} to 1024 or above)`;
  }
  return `${(error as Error).message} (check HOST and ${portVariable})`;
}

/**
 * Binds and serves.
 *
 * @param options Host, port, and the port's variable.
 * @param handler The request handler.
 * @returns The URL and a shutdown.
 * @throws {ConfigError} When the address cannot be bound, e.g.
 *   `Cannot listen on 0.0.0.0:8000: address already in use (set PORT)`.
 */
export async function serveHttp(
  options: ServeHttpOptions,
  handler: Deno.ServeHandler,
): Promise<HttpServer> {
  const { hostname, port, portVariable } = options;
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({ hostname, port, onListen: resolve }, handler);
  } catch (error) {
    throw new ConfigError(
      portVariable,
      `Cannot listen on ${hostname}:${port}: ${_reason(error, portVariable)}`,
      { cause: error },
    );
  }
  const address = await listening;
  const host = address.hostname === "0.0.0.0" ? "localhost" : address.hostname;
  return { url: `http://${host}:${address.port}`, shutdown: () => server.shutdown() };
}
