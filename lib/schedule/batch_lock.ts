/**
 * The batch lock: an exclusive OS lock on `<dataDir>/batch.lock`, so two
 * batches (a scheduled one and a manual `deno task batch`) never run at once
 * on a host. The kernel drops the lock when its process dies, so a crash
 * never leaves it stuck; the file records who holds it, for the message.
 *
 * @module
 */

/** A held lock. */
export interface BatchLock {
  release(): void;
}

/**
 * Takes the lock without waiting.
 *
 * @param dataDir The directory holding `batch.lock`.
 * @param holder Who takes it (written into the file).
 * @returns The lock, or null when another process holds it (with its note).
 */
export async function tryBatchLock(
  dataDir: string,
  holder: string,
): Promise<{ lock: BatchLock } | { heldBy: string }> {
  await Deno.mkdir(dataDir, { recursive: true });
  const path = `${dataDir}/batch.lock`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  if (!await file.tryLock(true)) {
    file.close();
    const heldBy = (await Deno.readTextFile(path).catch(() => "")).trim() || "another process";
    return { heldBy };
  }
  const note = new TextEncoder().encode(
    `${holder} pid ${Deno.pid} since ${new Date().toISOString()}\n`,
  );
  await file.truncate(0);
  await file.write(note);
  return {
    lock: {
      release() {
        file.truncateSync(0);
        file.unlockSync();
        file.close();
      },
    },
  };
}
