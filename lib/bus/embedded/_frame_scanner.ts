/**
 * Sequential reading of frames from a log file through one reusable buffer:
 * one read syscall per chunk, never per record, and never past a limit
 * (the end of the file, or the durable end of the log).
 *
 * @module
 */

import type { ConsumedRecord } from "../bus.ts";
import { decodeFrame, type FrameCheck, inspectFrame } from "./_record_frame.ts";

/** The default size of a scanner's buffer; it grows for larger frames. */
export const SCAN_CHUNK_BYTES = 256 * 1024;

/** Reads frames from a file, in order. */
export interface FrameScanner {
  /** The file position of the next frame. */
  readonly position: number;
  /**
   * Checks the next frame, reading more of the file when the buffer holds
   * only part of it. `end` when no byte is left before the limit; `partial`
   * when the bytes before the limit stop inside a frame.
   */
  peek(): Promise<FrameCheck | { status: "end" }>;
  /** Decodes the frame `peek` found whole (it stays the next frame). */
  decode(size: number, partition: number): ConsumedRecord;
  /** Moves past the frame `peek` found whole. */
  skip(size: number): void;
}

/**
 * Starts a scanner at `position`. The file's cursor must be there already
 * and nothing else may move it.
 *
 * @param file The open log file.
 * @param position Its current position, a frame boundary.
 * @param limit The position not to read past, asked before each read.
 * @param chunkBytes The buffer's initial size.
 * @returns The scanner.
 */
export function createFrameScanner(
  file: Deno.FsFile,
  position: number,
  limit: () => number,
  chunkBytes = SCAN_CHUNK_BYTES,
): FrameScanner {
  let buffer = new Uint8Array(chunkBytes);
  let view = new DataView(buffer.buffer);
  let start = 0;
  let end = 0;
  let filePosition = position;

  async function fill(needed: number): Promise<boolean> {
    const available = limit() - filePosition;
    if (available <= 0) return false;
    const held = end - start;
    if (needed > buffer.length) {
      const grown = new Uint8Array(Math.max(needed, buffer.length * 2));
      grown.set(buffer.subarray(start, end));
      buffer = grown;
      view = new DataView(buffer.buffer);
    } else if (start > 0) {
      buffer.copyWithin(0, start, end);
    }
    start = 0;
    end = held;
    const target = end + Math.min(buffer.length - end, available);
    while (end < target) {
      const read = await file.read(buffer.subarray(end, target));
      if (read === null) break;
      end += read;
      filePosition += read;
    }
    return end > held;
  }

  return {
    get position() {
      return filePosition - (end - start);
    },
    async peek() {
      while (true) {
        const check = inspectFrame(buffer, view, start, end);
        if (check.status !== "partial") return check;
        if (!await fill(check.needed)) return start === end ? { status: "end" } : check;
      }
    },
    decode(size, partition) {
      return decodeFrame(buffer, view, start, size, partition);
    },
    skip(size) {
      start += size;
    },
  };
}
