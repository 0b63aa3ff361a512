/**
 * Leases of the embedded store: an exclusive OS lock on `<dir>/<name>.lock`.
 * The lock belongs to the open file, so it keeps apart two holders in one
 * process as well as two processes; the kernel drops it when its process
 * dies, so it never needs renewing and is never lost. The file holds the
 * holder's id, for the message of the one refused.
 *
 * @module
 */

import type { LeaseTry } from "./lease.ts";

/**
 * Tries once to take the lock of `name`.
 *
 * @param dir The directory of the lock files (created when missing).
 * @param name What to lease; a safe file name such as a day.
 * @param holder Who takes it.
 * @returns The lease (its `lost` signal never aborts), or who holds it.
 */
export async function tryFileLease(dir: string, name: string, holder: string): Promise<LeaseTry> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}.lock`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  if (!await file.tryLock(true)) {
    file.close();
    const heldBy = (await Deno.readTextFile(path).catch(() => "")).trim();
    return { heldBy: heldBy || "another holder" };
  }
  await file.truncate(0);
  await file.write(new TextEncoder().encode(`${holder}\n`));
  let released = false;
  return {
    lease: {
      name,
      holder,
      lost: new AbortController().signal,
      async release() {
        if (released) return;
        released = true;
        await file.truncate(0);
        await file.unlock();
        file.close();
      },
    },
  };
}
