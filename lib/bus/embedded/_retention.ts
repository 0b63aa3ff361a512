/**
 * Retention of the embedded bus: whole sealed segments are deleted from the
 * start of a partition when BOTH
 *
 * 1. every consumer group that has joined the topic has committed an offset
 *    past the segment's last record (a group that has joined and not
 *    committed keeps everything; a topic no group has joined is kept whole),
 * 2. and a limit is exceeded: the segment's newest record is older than
 *    `maxAgeMs`, or the partition holds more than `maxBytes`.
 *
 * The active segment is never deleted, so offsets stay monotonic. A pass
 * runs when the bus opens and then every `intervalMs` in the background; it
 * only reads group files and removes sealed segments, so produce never waits
 * for it.
 *
 * @module
 */

import type { Logger } from "../../runtime/logger.ts";
import { readTopicCommits } from "./_group_offsets.ts";
import type { OpenTopic } from "./_topic_dir.ts";
import type { Segment } from "./_segment.ts";

/** Retention limits, per partition; 0 disables a limit. */
export interface RetentionLimits {
  /** Consumed segments whose newest record is older than this are deleted. */
  maxAgeMs: number;
  /** Consumed segments are deleted, oldest first, while the partition holds more than this. */
  maxBytes: number;
}

/** A segment retention deleted. */
export interface DeletedSegment {
  topic: string;
  partition: number;
  /** The segment file. */
  segment: string;
  baseOffset: number;
  lastOffset: number;
  bytes: number;
  /** The partition's first offset after the deletion. */
  logStartOffset: number;
}

/** What a retention pass needs. */
export interface RetentionDeps {
  /** The bus directory. */
  dir: string;
  topics: ReadonlyMap<string, OpenTopic>;
  limits: RetentionLimits;
  now(): Date;
  logger: Logger;
}

/** The background retention of a bus. */
export interface Retention {
  /** Runs a pass now, or joins the one running; resolves with what it deleted. */
  run(): Promise<DeletedSegment[]>;
  /** Stops the background passes and waits for the one running. */
  stop(): Promise<void>;
}

/**
 * How many segments, from the oldest, may be deleted.
 *
 * @param segments A partition's segments, oldest first; the last is active.
 * @param committed The lowest committed next offset of the topic's groups;
 * null when no group has joined the topic.
 * @param limits The limits.
 * @param now The current time, epoch ms.
 * @returns The number of leading segments to delete.
 */
export function segmentsToDelete(
  segments: readonly Segment[],
  committed: number | null,
  limits: RetentionLimits,
  now: number,
): number {
  if (committed === null) return 0;
  let bytes = segments.reduce((sum, segment) => sum + segment.bytes, 0);
  let count = 0;
  for (const segment of segments.slice(0, -1)) {
    if (committed < segment.nextOffset) break;
    const newest = segment.newestTimestamp;
    const old = limits.maxAgeMs > 0 && newest !== null && now - newest > limits.maxAgeMs;
    const over = limits.maxBytes > 0 && bytes > limits.maxBytes;
    if (!old && !over) break;
    bytes -= segment.bytes;
    count++;
  }
  return count;
}

/**
 * Runs one retention pass over every topic.
 *
 * @param deps The topics, limits, clock and logger.
 * @returns The segments deleted, each also logged at info.
 * @throws {Error} When group offsets cannot be read or a segment cannot be removed.
 */
export async function enforceRetention(deps: RetentionDeps): Promise<DeletedSegment[]> {
  const { dir, topics, limits, logger } = deps;
  const deleted: DeletedSegment[] = [];
  if (limits.maxAgeMs === 0 && limits.maxBytes === 0) return deleted;
  for (const [topic, { logs }] of topics) {
    const groups = [...(await readTopicCommits(dir, topic)).values()];
    for (const log of logs) {
      const committed = groups.length === 0
        ? null
        : Math.min(...groups.map((offsets) => offsets.get(log.partition) ?? 0));
      const now = deps.now().getTime();
      const count = segmentsToDelete(log.segments(), committed, limits, now);
      for (let i = 0; i < count; i++) {
        const segment = await log.deleteOldestSegment();
        if (!segment) break;
        const entry = {
          topic,
          partition: log.partition,
          segment: segment.path,
          baseOffset: segment.baseOffset,
          lastOffset: segment.nextOffset - 1,
          bytes: segment.bytes,
          logStartOffset: log.startOffset(),
        };
        logger.info("Deleted an embedded bus segment (retention)", { ...entry });
        deleted.push(entry);
      }
    }
  }
  return deleted;
}

/**
 * Starts background retention: a pass every `intervalMs` until `stop`; a
 * failed pass is logged and the next one tries again.
 *
 * @param deps The topics, limits, clock and logger.
 * @param intervalMs The pause between passes.
 * @returns Its handle.
 */
export function startRetention(deps: RetentionDeps, intervalMs: number): Retention {
  let running: Promise<DeletedSegment[]> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function run(): Promise<DeletedSegment[]> {
    running ??= enforceRetention(deps).finally(() => running = null);
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await run();
      } catch (error) {
        deps.logger.warn("Embedded bus retention failed; retrying at the next pass", { error });
      }
      schedule();
    }, intervalMs);
  }

  schedule();
  return {
    run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => {});
    },
  };
}
