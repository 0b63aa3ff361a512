/**
 * One segment of a partition log: the file `<base offset, 20 digits>.log`
 * holding the frames of consecutive offsets from its base offset. What the
 * log needs to know about it (its end, a sparse index, the timestamps that
 * retention and rolling look at) lives in memory and is rebuilt by a scan
 * when the log opens.
 *
 * @module
 */

import { createFrameScanner } from "./_frame_scanner.ts";

/** One index entry per this many records of a segment. */
export const INDEX_INTERVAL = 256;

/** A segment file and what is known about its durable content. */
export interface Segment {
  readonly baseOffset: number;
  readonly path: string;
  /** The offset after its last durable record (its base offset while empty). */
  nextOffset: number;
  /** Its durable size: where the next frame goes. */
  bytes: number;
  /** The byte position of offsets `baseOffset + k × INDEX_INTERVAL`. */
  readonly index: number[];
  /** When its first record was produced (epoch ms); null while empty. */
  firstTimestamp: number | null;
  /** Its newest record's timestamp (the largest, epoch ms); null while empty. */
  newestTimestamp: number | null;
  /** True once a later segment takes the appends: its content is final. */
  sealed: boolean;
}

/** What a scan of a segment file found. */
export interface SegmentScan {
  /** The segment up to its last whole, valid frame. */
  segment: Segment;
  /** Why the scan stopped before the end of the file; null when it did not. */
  problem: string | null;
  /** The file's size, including any bytes after the problem. */
  fileBytes: number;
}

const NAME = /^(\d{20})\.log$/;

/**
 * The file name of the segment starting at `baseOffset`, sortable as text.
 *
 * @param baseOffset Its first offset.
 * @returns For example `00000000000000000256.log`.
 */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, "0")}.log`;
}

/**
 * The base offsets of the segment files in a partition's directory.
 *
 * @param dir The partition's directory.
 * @returns Base offsets, ascending.
 */
export async function listSegmentBases(dir: string): Promise<number[]> {
  const bases: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = entry.isFile ? NAME.exec(entry.name) : null;
    if (match) bases.push(Number(match[1]));
  }
  return bases.sort((a, b) => a - b);
}

/**
 * An empty segment's description (the file is the caller's to create).
 *
 * @param dir The partition's directory.
 * @param baseOffset Its first offset.
 * @returns The segment.
 */
export function emptySegment(dir: string, baseOffset: number): Segment {
  return {
    baseOffset,
    path: `${dir}/${segmentFileName(baseOffset)}`,
    nextOffset: baseOffset,
    bytes: 0,
    index: [],
    firstTimestamp: null,
    newestTimestamp: null,
    sealed: false,
  };
}

/**
 * Scans a segment file from its start: every frame must be whole, pass its
 * CRC and carry the next offset. Stops at the first that does not.
 *
 * @param dir The partition's directory.
 * @param baseOffset The segment's base offset.
 * @returns The segment up to the last good frame, and the problem after it.
 */
export async function scanSegment(dir: string, baseOffset: number): Promise<SegmentScan> {
  const segment = emptySegment(dir, baseOffset);
  using file = await Deno.open(segment.path, { read: true });
  const fileBytes = (await file.stat()).size;
  const scanner = createFrameScanner(file, 0, () => fileBytes, 1024 * 1024);
  let problem: string | null = null;
  while (true) {
    const check = await scanner.peek();
    if (check.status === "end") break;
    if (check.status === "partial") {
      problem = "the last frame is cut short";
      break;
    }
    if (check.status === "corrupt") {
      problem = check.reason;
      break;
    }
    if (check.offset !== segment.nextOffset) {
      problem = `offset ${check.offset} where ${segment.nextOffset} was expected`;
      break;
    }
    if ((segment.nextOffset - baseOffset) % INDEX_INTERVAL === 0) {
      segment.index.push(scanner.position);
    }
    segment.firstTimestamp ??= check.timestamp;
    segment.newestTimestamp = Math.max(segment.newestTimestamp ?? check.timestamp, check.timestamp);
    segment.nextOffset++;
    scanner.skip(check.size);
  }
  segment.bytes = scanner.position;
  return { segment, problem, fileBytes };
}

/**
 * The segment holding `offset`: the last one starting at or before it.
 *
 * @param segments Segments, oldest first; the first starts at or before `offset`.
 * @param offset The wanted offset.
 * @returns The segment.
 */
export function findSegment(segments: readonly Segment[], offset: number): Segment {
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (segments[middle]!.baseOffset <= offset) low = middle;
    else high = middle - 1;
  }
  return segments[low]!;
}

/**
 * Where to start reading a segment for `offset`: the indexed record at or
 * before it.
 *
 * @param segment The segment; `offset` must be in `[baseOffset, nextOffset)`.
 * @param offset The wanted offset.
 * @returns The indexed offset and its byte position.
 */
export function seekInSegment(
  segment: Segment,
  offset: number,
): { offset: number; position: number } {
  const slot = Math.floor((offset - segment.baseOffset) / INDEX_INTERVAL);
  return { offset: segment.baseOffset + slot * INDEX_INTERVAL, position: segment.index[slot]! };
}
