/**
 * The run loop of an embedded-bus consumer: one task per partition reads a
 * batch, awaits `eachBatch`, and when caught up sleeps until produce
 * signals new records. A failing `eachBatch` is logged and retried with the
 * same batch after a growing pause (100 ms up to 5 s), so nothing is skipped.
 *
 * @module
 */

import type { BusConsumer, ConsumedBatch, ConsumerHandlers } from "../bus.ts";
import { retry, type RetryOptions } from "../../runtime/async.ts";
import type { Logger } from "../../runtime/logger.ts";
import type { GroupOffsets } from "./_group_offsets.ts";
import type { PartitionLog } from "./_partition_log.ts";

/** What {@linkcode startEmbeddedConsumer} needs. */
export interface EmbeddedConsumerDeps {
  topic: string;
  groupId: string;
  /** The topic's partitions, by number. */
  logs: PartitionLog[];
  offsets: GroupOffsets;
  logger: Logger;
  maxBatchRecords: number;
  /** Called once when the consumer has stopped. */
  onStop(): void;
}

/** The pause after a failure: 100 ms doubling up to 5 s, until the consumer stops. */
const BACKOFF = { attempts: Infinity, minDelayMs: 100, maxDelayMs: 5000 } satisfies RetryOptions;

/**
 * Assigns every partition to the consumer, picks each start offset
 * (`onAssign`, else committed, else 0) and starts the partition loops.
 *
 * @param deps The topic's logs, the group's offsets and settings.
 * @param handlers The caller's handlers.
 * @returns The running consumer.
 */
export async function startEmbeddedConsumer(
  deps: EmbeddedConsumerDeps,
  handlers: ConsumerHandlers,
): Promise<BusConsumer> {
  const { topic, groupId, logs, offsets, logger, maxBatchRecords } = deps;
  const partitions = logs.map((_, partition) => partition);
  const assigned = handlers.onAssign ? await handlers.onAssign(partitions) : new Map();
  const controller = new AbortController();
  const { signal } = controller;

  function startOffset(log: PartitionLog): number {
    const chosen = assigned.get(log.partition) ?? offsets.get(log.partition) ?? 0;
    const end = log.nextOffset();
    if (Number.isSafeInteger(chosen) && chosen >= 0 && chosen <= end) return chosen;
    logger.warn("Start offset out of range; consuming from the earliest record", {
      topic,
      groupId,
      partition: log.partition,
      offset: chosen,
      highWatermark: end,
    });
    return 0;
  }

  function deliver(batch: ConsumedBatch): Promise<void> {
    return retry(() => handlers.eachBatch(batch), {
      ...BACKOFF,
      signal,
      onRetry(error, { delayMs }) {
        logger.error("eachBatch failed; retrying the same batch", {
          topic,
          groupId,
          partition: batch.partition,
          firstOffset: batch.records[0]?.offset,
          retryInMs: delayMs,
          error,
        });
      },
    });
  }

  async function run(log: PartitionLog, offset: number): Promise<void> {
    const reader = await log.openReader(offset);
    try {
      while (!signal.aborted) {
        const records = await retry(() => reader.next(maxBatchRecords), {
          ...BACKOFF,
          signal,
          onRetry(error, { delayMs }) {
            logger.error("Cannot read the embedded bus log", {
              path: log.path,
              retryInMs: delayMs,
              error,
            });
          },
        });
        if (records.length === 0) {
          await log.waitForData(reader.offset, signal);
          continue;
        }
        const partition = log.partition;
        await deliver({ topic, partition, records, highWatermark: log.nextOffset() });
      }
    } catch (error) {
      if (!signal.aborted || error !== signal.reason) throw error;
    } finally {
      reader.close();
    }
  }

  const loops = logs.map((log) =>
    run(log, startOffset(log)).catch((error) => {
      logger.error("An embedded bus consumer stopped on an error", {
        topic,
        groupId,
        partition: log.partition,
        error,
      });
    })
  );
  let stopping: Promise<void> | null = null;

  return {
    commit: (partition, nextOffset) => offsets.commit(partition, nextOffset),
    stop() {
      stopping ??= (async () => {
        controller.abort();
        await Promise.all(loops);
        deps.onStop();
      })();
      return stopping;
    },
  };
}
