/**
 * Installs a Debian package when a server's binary is missing.
 *
 * @module
 */

import { runCommand } from "./process_control.ts";

/**
 * Runs `apt-get update` and `apt-get install -y <name>` (as root only).
 *
 * @param name The Debian package, e.g. `postgresql`.
 * @param onProgress Told before the (slow) install starts.
 * @throws {Error} When not running as root or apt-get fails.
 */
export async function installAptPackage(
  name: string,
  onProgress: (message: string) => void = () => {},
): Promise<void> {
  if (Deno.uid() !== 0) {
    throw new Error(
      `Cannot install the Debian package '${name}': the harness runs as uid ${Deno.uid()}, ` +
        `not root; install it with 'sudo apt-get install -y ${name}'`,
    );
  }
  onProgress(`installing the Debian package ${name} with apt-get`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  await runCommand(["apt-get", "update"], { env });
  await runCommand(["apt-get", "install", "-y", "--no-install-recommends", name], { env });
}
