/**
 * Recovery of a partition's segments when its log opens: every segment is
 * scanned in order, and the log is cut at the first torn or corrupt frame,
 * or at a segment that does not start where the previous one ended. What
 * follows the cut (the rest of that segment and any later segment) is
 * removed with one warning. Only the active segment can have a torn tail
 * after a crash: a segment is sealed only after its last write was synced.
 *
 * @module
 */

import type { Logger } from "../../runtime/logger.ts";
import { syncDirectory } from "./_durable_file.ts";
import { emptySegment, listSegmentBases, scanSegment, type Segment } from "./_segment.ts";

/**
 * Scans a partition's segments, cuts a torn or corrupt tail, and creates the
 * first segment of an empty partition.
 *
 * @param dir The partition's directory (created if missing).
 * @param logger Where the truncation warning goes.
 * @returns The segments, oldest first; all but the last are sealed.
 * @throws {Error} When a file cannot be read, truncated or removed.
 */
export async function recoverSegments(dir: string, logger: Logger): Promise<Segment[]> {
  await Deno.mkdir(dir, { recursive: true });
  const bases = await listSegmentBases(dir);
  if (bases.length === 0) {
    const first = emptySegment(dir, 0);
    await Deno.writeFile(first.path, new Uint8Array());
    await syncDirectory(dir);
    return [first];
  }
  const segments: Segment[] = [];
  for (let i = 0; i < bases.length; i++) {
    const base = bases[i]!;
    const expected = segments.at(-1)?.nextOffset ?? base;
    if (base !== expected) {
      await _cut(dir, segments.at(-1)!, 0, bases.slice(i), {
        reason: `segment ${base} starts where offset ${expected} was expected`,
        logger,
      });
      break;
    }
    const scan = await scanSegment(dir, base);
    segments.push(scan.segment);
    if (scan.problem !== null) {
      await _cut(dir, scan.segment, scan.fileBytes - scan.segment.bytes, bases.slice(i + 1), {
        reason: scan.problem,
        logger,
      });
      break;
    }
  }
  for (const segment of segments.slice(0, -1)) segment.sealed = true;
  return segments;
}

/** Truncates `last` at its scanned end and removes the segment files `after`. */
async function _cut(
  dir: string,
  last: Segment,
  tailBytes: number,
  after: number[],
  { reason, logger }: { reason: string; logger: Logger },
): Promise<void> {
  let droppedBytes = tailBytes;
  for (const base of after) {
    const path = emptySegment(dir, base).path;
    droppedBytes += (await Deno.stat(path)).size;
    await Deno.remove(path);
  }
  logger.warn("Truncating a torn or corrupt tail of an embedded bus log", {
    path: last.path,
    reason,
    atByte: last.bytes,
    droppedBytes,
    droppedSegments: after.length,
    nextOffset: last.nextOffset,
  });
  if (tailBytes > 0) {
    using file = await Deno.open(last.path, { write: true });
    await file.truncate(last.bytes);
    await file.syncData();
  }
  if (after.length > 0) await syncDirectory(dir);
}
