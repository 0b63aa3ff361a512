/**
 * One partition's append-only log file: recovery on open, group-committed
 * appends (one write and one fsync for all produce calls waiting), a sparse
 * offset index, and notification of readers waiting for new records.
 *
 * @module
 */

import type { ConsumedRecord } from "../bus.ts";
import type { Logger } from "../../runtime/logger.ts";
import { type EncodedFrames, stampFrames } from "./_record_frame.ts";
import { createFrameScanner } from "./_frame_scanner.ts";
import { writeAll } from "./_durable_file.ts";

/** One index entry per this many records. */
export const INDEX_INTERVAL = 256;
/** Appends waiting are grouped into one write up to about this many bytes. */
const GROUP_BYTES = 4 * 1024 * 1024;

/** Reads a partition from an offset on. */
export interface LogReader {
  /** The offset of the next record `next` returns. */
  readonly offset: number;
  /** Up to `maxRecords` durable records; none when caught up. */
  next(maxRecords: number): Promise<ConsumedRecord[]>;
  close(): void;
}

/** An open partition log. */
export interface PartitionLog {
  readonly path: string;
  readonly partition: number;
  /** The offset the next record will get; everything below it is durable. */
  nextOffset(): number;
  /** Why appends are refused, after a write that could not be undone. */
  failure(): Error | null;
  /** Appends frames durably; resolves after fsync. */
  append(frames: EncodedFrames): Promise<void>;
  /** Opens a reader at `offset`, which must be within `[0, nextOffset()]`. */
  openReader(offset: number): Promise<LogReader>;
  /** Resolves once a record at `offset` is durable, or when `signal` aborts. */
  waitForData(offset: number, signal: AbortSignal): Promise<void>;
  /** Waits for pending appends and closes the file. */
  close(): Promise<void>;
}

interface _Append {
  frames: EncodedFrames;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Opens (creating it if missing) and recovers a partition log: scans every
 * frame, rebuilds the next offset and the index, and truncates a torn or
 * corrupt tail with a warning.
 *
 * @param path The `.log` file.
 * @param partition Its partition number.
 * @param logger Where the truncation warning goes.
 * @returns The open log.
 */
export async function openPartitionLog(
  path: string,
  partition: number,
  logger: Logger,
): Promise<PartitionLog> {
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let nextOffset = 0;
  let endPosition = 0;
  const index: number[] = [];
  try {
    const size = (await file.stat()).size;
    const scanner = createFrameScanner(file, 0, () => size, 1024 * 1024);
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
      if (check.offset !== nextOffset) {
        problem = `offset ${check.offset} where ${nextOffset} was expected`;
        break;
      }
      if (nextOffset % INDEX_INTERVAL === 0) index.push(scanner.position);
      nextOffset++;
      scanner.skip(check.size);
    }
    endPosition = scanner.position;
    if (problem !== null) {
      logger.warn("Truncating a torn or corrupt tail of an embedded bus log", {
        path,
        reason: problem,
        atByte: endPosition,
        droppedBytes: size - endPosition,
        nextOffset,
      });
      await file.truncate(endPosition);
      await file.syncData();
    }
    await file.seek(endPosition, Deno.SeekMode.Start);
  } catch (error) {
    file.close();
    throw new Error(`Cannot recover the embedded bus log ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const queue: _Append[] = [];
  const waiters = new Set<() => void>();
  let flushing: Promise<void> | null = null;
  let broken: Error | null = null;
  let closed = false;

  async function flushGroup(group: _Append[]): Promise<void> {
    let offset = nextOffset;
    let position = endPosition;
    const indexed: number[] = [];
    for (const { frames } of group) {
      stampFrames(frames, offset);
      for (const start of frames.starts) {
        if (offset % INDEX_INTERVAL === 0) indexed.push(position + start);
        offset++;
      }
      position += frames.bytes.length;
    }
    let bytes = group[0]!.frames.bytes;
    if (group.length > 1) {
      bytes = new Uint8Array(position - endPosition);
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
      const failure = new Error(`Cannot append to ${path}: ${(error as Error).message}`, {
        cause: error,
      });
      for (const append of group) append.reject(failure);
      try {
        await file.truncate(endPosition);
        await file.seek(endPosition, Deno.SeekMode.Start);
      } catch {
        broken = failure;
        logger.error("An embedded bus log cannot be written any more", { path, error });
      }
      return;
    }
    nextOffset = offset;
    endPosition = position;
    index.push(...indexed);
    for (const append of group) append.resolve();
    for (const wake of [...waiters]) wake();
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

  function seek(offset: number): { offset: number; position: number } {
    if (offset >= nextOffset) return { offset: nextOffset, position: endPosition };
    const slot = Math.floor(offset / INDEX_INTERVAL);
    return { offset: slot * INDEX_INTERVAL, position: index[slot]! };
  }

  return {
    path,
    partition,
    nextOffset: () => nextOffset,
    failure: () => broken,
    append(frames) {
      if (closed) return Promise.reject(new Error(`Cannot append to ${path}: the log is closed`));
      if (broken) return Promise.reject(broken);
      if (frames.starts.length === 0) return Promise.resolve();
      return new Promise((resolve, reject) => {
        queue.push({ frames, resolve, reject });
        flushing ??= flushLoop();
      });
    },
    async openReader(offset) {
      const from = seek(offset);
      const reader = await Deno.open(path, { read: true });
      await reader.seek(from.position, Deno.SeekMode.Start);
      const scanner = createFrameScanner(reader, from.position, () => endPosition);
      let next = from.offset;
      return {
        get offset() {
          return Math.max(next, offset);
        },
        async next(maxRecords) {
          const records: ConsumedRecord[] = [];
          while (records.length < maxRecords) {
            let check;
            try {
              check = await scanner.peek();
            } catch (error) {
              if (records.length > 0) break;
              throw error;
            }
            if (check.status === "end") break;
            if (check.status !== "ok" || check.offset !== next) {
              if (records.length > 0) break;
              const reason = check.status === "ok"
                ? `offset ${check.offset} where ${next} was expected`
                : check.status === "corrupt"
                ? check.reason
                : "a frame is cut short";
              throw new Error(`Cannot read ${path} at byte ${scanner.position}: ${reason}`);
            }
            if (next >= offset) records.push(scanner.decode(check.size, partition));
            scanner.skip(check.size);
            next++;
          }
          return records;
        },
        close: () => reader.close(),
      };
    },
    waitForData(offset, signal) {
      if (nextOffset > offset || signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          signal.removeEventListener("abort", wake);
          resolve();
        };
        waiters.add(wake);
        signal.addEventListener("abort", wake, { once: true });
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await flushing;
      file.close();
    },
  };
}
