/**
 * Network probes and address parsing shared by the harness and the
 * integration tests.
 *
 * @module
 */

import { deadline } from "../../lib/runtime/async.ts";

/**
 * Whether something accepts a TCP connection at `host:port`.
 *
 * @param host The host to connect to, e.g. `127.0.0.1`.
 * @param port The TCP port.
 * @param timeoutMs How long to wait for the connection before giving up.
 * @returns `true` when a connection was accepted (it is closed at once).
 */
export async function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  const connecting = Deno.connect({ hostname: host, port });
  try {
    const conn = await deadline(connecting, timeoutMs, () => null);
    if (conn === null) {
      // Close the connection if it is accepted after all.
      connecting.then((late) => late.close(), () => {});
      return false;
    }
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits `host:port` into its parts.
 *
 * @param address An address such as `127.0.0.1:9092`.
 * @returns The host and the port.
 * @throws {Error} When the address has no numeric port.
 */
export function parseHostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(":");
  const port = Number(address.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`Cannot parse a host:port address: current value is '${address}'`);
  }
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ""), port };
}
