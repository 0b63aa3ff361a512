/**
 * A reader of one partition across its segments: it seeks through the
 * segment's sparse index, reads 256 KiB chunks, and moves to the next
 * segment when it has read a sealed one to its end. An offset below the log
 * start (records deleted by retention) reads from the log start, as Kafka's
 * `auto.offset.reset=earliest` does.
 *
 * @module
 */

import type { ConsumedRecord } from "../bus.ts";
import type { Logger } from "../../runtime/logger.ts";
import { createFrameScanner, type FrameScanner } from "./_frame_scanner.ts";
import type { Segment } from "./_segment.ts";

/** Reads a partition from an offset on. */
export interface LogReader {
  /** The offset of the next record `next` returns. */
  readonly offset: number;
  /** Up to `maxRecords` durable records; none when caught up. */
  next(maxRecords: number): Promise<ConsumedRecord[]>;
  close(): void;
}

/** Where a read for an offset starts. */
export interface LogPosition {
  segment: Segment;
  /** The offset of the frame at `position`: the wanted one, or an indexed one before it. */
  offset: number;
  position: number;
}

/** What a reader needs of its partition log. */
export interface ReadableLog {
  readonly path: string;
  readonly partition: number;
  /** The first offset still held. */
  startOffset(): number;
  /** Where to read `offset` from; it must be within `[startOffset(), nextOffset]`. */
  locate(offset: number): LogPosition;
}

/** How often a reader retries opening a segment that retention removed meanwhile. */
const OPEN_ATTEMPTS = 3;

/**
 * Opens a reader at `offset`, or at the log start when `offset` is below it.
 *
 * @param log The partition log.
 * @param offset The first offset wanted, at most the log's next offset.
 * @param logger Where a jump to the log start is reported.
 * @returns The reader.
 */
export async function openLogReader(
  log: ReadableLog,
  offset: number,
  logger: Logger,
): Promise<LogReader> {
  let target = offset;
  let segment!: Segment;
  let file: Deno.FsFile | null = null;
  let scanner!: FrameScanner;
  let next = 0;

  async function openAt(wanted: number): Promise<void> {
    for (let attempt = 1;; attempt++) {
      const start = log.startOffset();
      if (wanted < start) {
        logger.info(
          "Offset below the log start, deleted by retention; reading from the log start",
          {
            path: log.path,
            offset: wanted,
            logStartOffset: start,
          },
        );
        target = Math.max(target, start);
      }
      const at = log.locate(Math.max(wanted, start));
      try {
        file = await Deno.open(at.segment.path, { read: true });
      } catch (error) {
        if (error instanceof Deno.errors.NotFound && attempt < OPEN_ATTEMPTS) continue;
        throw error;
      }
      await file.seek(at.position, Deno.SeekMode.Start);
      const current = at.segment;
      segment = current;
      scanner = createFrameScanner(file, at.position, () => current.bytes);
      next = at.offset;
      return;
    }
  }

  await openAt(offset);
  return {
    get offset() {
      return Math.max(next, target);
    },
    async next(maxRecords) {
      const records: ConsumedRecord[] = [];
      while (records.length < maxRecords) {
        if (file === null) {
          try {
            await openAt(next);
          } catch (error) {
            if (records.length > 0) break;
            throw error;
          }
        }
        let check;
        try {
          check = await scanner.peek();
        } catch (error) {
          if (records.length > 0) break;
          throw error;
        }
        if (check.status === "end") {
          if (!segment.sealed) break;
          file?.close();
          file = null;
          continue;
        }
        if (check.status !== "ok" || check.offset !== next) {
          if (records.length > 0) break;
          const reason = check.status === "ok"
            ? `offset ${check.offset} where ${next} was expected`
            : check.status === "corrupt"
            ? check.reason
            : "a frame is cut short";
          throw new Error(`Cannot read ${segment.path} at byte ${scanner.position}: ${reason}`);
        }
        if (next >= target) records.push(scanner.decode(check.size, log.partition));
        scanner.skip(check.size);
        next++;
      }
      return records;
    },
    close() {
      file?.close();
      file = null;
    },
  };
}
