/**
 * Small file-system steps that survive a crash: whole writes, directory
 * fsync, and replace-by-rename.
 *
 * @module
 */

/**
 * Writes all of `bytes` at the file's current position.
 *
 * @param file An open file.
 * @param bytes What to write.
 */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Flushes a directory's entries (new, renamed or removed files) to disk.
 * A no-op on Windows, where directories cannot be opened.
 *
 * @param path The directory.
 */
export async function syncDirectory(path: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  using dir = await Deno.open(path, { read: true });
  await dir.syncData();
}

/**
 * Replaces a file's content atomically and durably: a temporary file in the
 * same directory, fsync, rename over the target, fsync of the directory.
 *
 * @param dir The directory.
 * @param name The file's name in it.
 * @param text The new content.
 */
export async function replaceFileDurably(dir: string, name: string, text: string): Promise<void> {
  const target = `${dir}/${name}`;
  const temporary = `${target}.tmp`;
  {
    using file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    await writeAll(file, new TextEncoder().encode(text));
    await file.syncData();
  }
  await Deno.rename(temporary, target);
  await syncDirectory(dir);
}
