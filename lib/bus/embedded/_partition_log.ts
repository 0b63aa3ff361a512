/**
 * One partition's log: a directory of segment files, the last of them
 * active. Recovery on open (`_log_recovery.ts`), appends and rolling
 * (`_segment_appender.ts`), readers across segments (`_log_reader.ts`),
 * notification of readers waiting for new records, and the deletion of the
 * oldest segment for retention; offsets never go back.
 *
 * @module
 */

import type { Logger } from "../../runtime/logger.ts";
import type { EncodedFrames } from "./_record_frame.ts";
import { recoverSegments } from "./_log_recovery.ts";
import { type LogPosition, type LogReader, openLogReader } from "./_log_reader.ts";
import {
  openSegmentAppender,
  type SegmentAppender,
  type SegmentSettings,
} from "./_segment_appender.ts";
import { findSegment, seekInSegment, type Segment } from "./_segment.ts";

export type { SegmentSettings } from "./_segment_appender.ts";

/** An open partition log. */
export interface PartitionLog {
  /** The partition's directory. */
  readonly path: string;
  readonly partition: number;
  /** The offset the next record will get; everything below it is durable. */
  nextOffset(): number;
  /** The first offset still held: the log start, raised when retention deletes a segment. */
  startOffset(): number;
  /** Why appends are refused, after a write that could not be undone. */
  failure(): Error | null;
  /** Appends frames durably; resolves after fsync. */
  append(frames: EncodedFrames): Promise<void>;
  /** Opens a reader at `offset` (at most `nextOffset()`); below the log start it reads from there. */
  openReader(offset: number): Promise<LogReader>;
  /** Resolves once a record at `offset` is durable, or when `signal` aborts. */
  waitForData(offset: number, signal: AbortSignal): Promise<void>;
  /** The segments, oldest first; the last is the active one. */
  segments(): readonly Segment[];
  /** Removes the oldest segment, unless it is the active one; returns it. */
  deleteOldestSegment(): Promise<Segment | null>;
  /** Waits for pending appends and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens (creating it if missing) and recovers a partition log.
 *
 * @param dir The partition's directory.
 * @param partition Its partition number.
 * @param settings When segments roll.
 * @param logger Where recovery warnings and jumps to the log start go.
 * @returns The open log.
 * @throws {Error} Naming the directory, when it cannot be recovered.
 */
export async function openPartitionLog(
  dir: string,
  partition: number,
  settings: SegmentSettings,
  logger: Logger,
): Promise<PartitionLog> {
  const waiters = new Set<() => void>();
  const onDurable = () => {
    for (const wake of [...waiters]) wake();
  };
  let segments: Segment[];
  let appender: SegmentAppender;
  try {
    segments = await recoverSegments(dir, logger);
    appender = await openSegmentAppender(dir, segments, settings, { logger, onDurable });
  } catch (error) {
    throw new Error(`Cannot recover the embedded bus log ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const nextOffset = () => appender.active().nextOffset;
  let closed = false;

  function locate(offset: number): LogPosition {
    const active = appender.active();
    if (offset >= active.nextOffset) {
      return { segment: active, offset: active.nextOffset, position: active.bytes };
    }
    const segment = findSegment(segments, offset);
    return { segment, ...seekInSegment(segment, offset) };
  }

  const readable = { path: dir, partition, startOffset: () => segments[0]!.baseOffset, locate };
  return {
    path: dir,
    partition,
    nextOffset,
    startOffset: readable.startOffset,
    failure: () => appender.failure(),
    append(frames) {
      if (closed) return Promise.reject(new Error(`Cannot append to ${dir}: the log is closed`));
      return appender.append(frames);
    },
    openReader: (offset) => openLogReader(readable, offset, logger),
    waitForData(offset, signal) {
      if (nextOffset() > offset || signal.aborted) return Promise.resolve();
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
    segments: () => segments,
    async deleteOldestSegment() {
      const oldest = segments[0]!;
      if (oldest === appender.active()) return null;
      // Out of the list first, so no new reader opens it. Should the removal fail, the
      // file is found again, whole and contiguous, when the log next opens.
      segments.shift();
      await Deno.remove(oldest.path);
      return oldest;
    },
    async close() {
      if (closed) return;
      closed = true;
      await appender.close();
    },
  };
}
