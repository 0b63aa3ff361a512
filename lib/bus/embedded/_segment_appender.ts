/**
 * The write side of a partition log: group-committed appends to the active
 * segment (one write and one fsync for all produce calls waiting), and the
 * roll to a new segment when the active one would pass its size or when its
 * first record is older than the roll age.
 *
 * @module
 */

import type { Logger } from "../../runtime/logger.ts";
import { type EncodedFrames, stampFrames } from "./_record_frame.ts";
import { syncDirectory, writeAll } from "./_durable_file.ts";
import { emptySegment, INDEX_INTERVAL, type Segment } from "./_segment.ts";

/** Appends waiting are grouped into one write up to about this many bytes. */
const GROUP_BYTES = 4 * 1024 * 1024;

/** How a partition log rolls its segments. */
export interface SegmentSettings {
  /** Roll when the active segment would pass this many bytes. */
  segmentBytes: number;
  /** Roll when the active segment's first record is this old (record time); 0: by size only. */
  segmentMs: number;
}

/** Appends to a partition's active segment. */
export interface SegmentAppender {
  /** The segment taking appends. */
  active(): Segment;
  /** Why appends are refused, after a write that could not be undone. */
  failure(): Error | null;
  /** Appends frames durably; resolves after fsync. */
  append(frames: EncodedFrames): Promise<void>;
  /** Waits for the appends in progress and closes the file. */
  close(): Promise<void>;
}

interface _Append {
  frames: EncodedFrames;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Opens the last of `segments` for appending.
 *
 * @param dir The partition's directory.
 * @param segments The partition's segments, oldest first; a rolled segment is pushed here.
 * @param settings When to roll.
 * @param deps The logger, and `onDurable`, called after each synced write.
 * @returns The appender.
 */
export async function openSegmentAppender(
  dir: string,
  segments: Segment[],
  settings: SegmentSettings,
  deps: { logger: Logger; onDurable(): void },
): Promise<SegmentAppender> {
  const { segmentBytes, segmentMs } = settings;
  let active = segments.at(-1)!;
  let file = await Deno.open(active.path, { read: true, write: true });
  try {
    await file.seek(active.bytes, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw error;
  }
  const queue: _Append[] = [];
  let flushing: Promise<void> | null = null;
  let broken: Error | null = null;

  function shouldRoll(bytes: number, timestamp: number): boolean {
    if (active.bytes === 0) return false;
    if (active.bytes + bytes > segmentBytes) return true;
    const first = active.firstTimestamp;
    return segmentMs > 0 && first !== null && timestamp - first >= segmentMs;
  }

  async function roll(): Promise<void> {
    const segment = emptySegment(dir, active.nextOffset);
    const options = { read: true, write: true, create: true, truncate: true };
    const opened = await Deno.open(segment.path, options);
    try {
      await syncDirectory(dir);
    } catch (error) {
      opened.close();
      throw error;
    }
    file.close();
    file = opened;
    segments.push(segment);
    active.sealed = true;
    active = segment;
  }

  function reject(group: _Append[], message: string, error: unknown): Error {
    const failure = new Error(`${message}: ${(error as Error).message}`, { cause: error });
    for (const append of group) append.reject(failure);
    return failure;
  }

  async function flushGroup(group: _Append[]): Promise<void> {
    const size = group.reduce((sum, { frames }) => sum + frames.bytes.length, 0);
    const newest = Math.max(...group.map(({ frames }) => frames.timestamp));
    try {
      if (shouldRoll(size, newest)) await roll();
    } catch (error) {
      reject(group, `Cannot roll a new segment in ${dir}`, error);
      return;
    }
    let offset = active.nextOffset;
    let position = active.bytes;
    const indexed: number[] = [];
    for (const { frames } of group) {
      stampFrames(frames, offset);
      for (const start of frames.starts) {
        if ((offset - active.baseOffset) % INDEX_INTERVAL === 0) indexed.push(position + start);
        offset++;
      }
      position += frames.bytes.length;
    }
    let bytes = group[0]!.frames.bytes;
    if (group.length > 1) {
      bytes = new Uint8Array(size);
      let at = 0;
      for (const { frames } of group) {
        bytes.set(frames.bytes, at);
        at += frames.bytes.length;
      }
    }
    try {
      await writeAll(file, bytes);
      await file.syncData();
    } catch (error) {
      const failure = reject(group, `Cannot append to ${active.path}`, error);
      try {
        await file.truncate(active.bytes);
        await file.seek(active.bytes, Deno.SeekMode.Start);
      } catch {
        broken = failure;
        deps.logger.error("An embedded bus log cannot be written any more", { path: dir, error });
      }
      return;
    }
    active.firstTimestamp ??= group[0]!.frames.timestamp;
    active.newestTimestamp = Math.max(active.newestTimestamp ?? newest, newest);
    active.index.push(...indexed);
    active.bytes = position;
    active.nextOffset = offset;
    for (const append of group) append.resolve();
    deps.onDurable();
  }

  async function flushLoop(): Promise<void> {
    try {
      while (queue.length > 0) {
        let bytes = 0;
        let count = 0;
        while (count < queue.length && (count === 0 || bytes < GROUP_BYTES)) {
          bytes += queue[count]!.frames.bytes.length;
          count++;
        }
        await flushGroup(queue.splice(0, count));
      }
    } finally {
      flushing = null;
    }
  }

  return {
    active: () => active,
    failure: () => broken,
    append(frames) {
      if (broken) return Promise.reject(broken);
      if (frames.starts.length === 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        queue.push({ frames, resolve, reject });
        flushing ??= flushLoop();
      });
    },
    async close() {
      await flushing;
      file.close();
    },
  };
}
