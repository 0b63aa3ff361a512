/**
 * The batch lock: an exclusive OS lock on `<dataDir>/batch.lock`, so two
 * batches (a scheduled one and a manual `deno task batch`) never run at once
 * on a host. The kernel drops the lock when its process dies, so a crash
 * never leaves it stuck; the file records who holds it, for the message.
 * The lock is per open file, so it also keeps apart two runs in one process
 * (a scheduled run and one asked for through `deno task dev`).
 *
 * @module
 */

/** A held lock. */
export interface BatchLock {
  release(): void;
}

async function _open(dataDir: string): Promise<Deno.FsFile> {
  await Deno.mkdir(dataDir, { recursive: true });
  return await Deno.open(`${dataDir}/batch.lock`, { read: true, write: true, create: true });
}

async function _heldBy(dataDir: string): Promise<string> {
  const note = await Deno.readTextFile(`${dataDir}/batch.lock`).catch(() => "");
  return note.trim() || "another process";
}

async function _hold(file: Deno.FsFile, holder: string): Promise<BatchLock> {
  const note = new TextEncoder().encode(
    `${holder} pid ${Deno.pid} since ${new Date().toISOString()}\n`,
  );
  await file.truncate(0);
  await file.write(note);
  return {
    release() {
      file.truncateSync(0);
      file.unlockSync();
      file.close();
    },
  };
}

/**
 * Takes the lock without waiting.
 *
 * @param dataDir The directory holding `batch.lock`.
 * @param holder Who takes it (written into the file).
 * @returns The lock, or the holder's note when another holds it.
 */
export async function tryBatchLock(
  dataDir: string,
  holder: string,
): Promise<{ lock: BatchLock } | { heldBy: string }> {
  const file = await _open(dataDir);
  if (!await file.tryLock(true)) {
    file.close();
    return { heldBy: await _heldBy(dataDir) };
  }
  return { lock: await _hold(file, holder) };
}

/**
 * Takes the lock, waiting as long as another holder (in this process or
 * another) keeps it.
 *
 * @param dataDir The directory holding `batch.lock`.
 * @param holder Who takes it (written into the file).
 * @param onWait Told the holder's note once, when the lock is held and the call waits.
 * @returns The lock.
 */
export async function waitBatchLock(
  dataDir: string,
  holder: string,
  onWait: (heldBy: string) => void,
): Promise<BatchLock> {
  const file = await _open(dataDir);
  if (!await file.tryLock(true)) {
    onWait(await _heldBy(dataDir));
    await file.lock(true);
  }
  return await _hold(file, holder);
}
