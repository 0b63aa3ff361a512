/**
 * The stream job: consumes `pins` as group `realtime`, cleans each event with
 * the shared rules, and applies each partition's micro-batch to the
 * real-time store in one transaction with its offsets. On every assignment
 * it resumes from the offsets stored with the aggregates, not the bus's.
 * Poison records go to the dead-letter topic; the consumer never stalls on
 * them.
 *
 * @module
 */

import type { Bus, BusConsumer, ConsumedBatch } from "../bus/bus.ts";
import { type DeadLetter, deadLetterRecord } from "../pin/dead_letter.ts";
import { retry } from "../runtime/async.ts";
import type { Config } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import type { PositionedPin, RealtimeStore } from "../realtime/realtime_store.ts";
import { addNulled } from "./nulled_metric.ts";
import { parseRecord } from "./parse_record.ts";
import type { StreamMetrics } from "./stream_metrics.ts";

/** Options of {@linkcode startStreamJob}. */
export interface StreamJobOptions {
  bus: Bus;
  store: RealtimeStore;
  metrics: StreamMetrics;
  logger: Logger;
  topic: string;
  dlqTopic: string;
  group?: string;
  /** Most records per transaction. */
  batchRecords?: number;
  /** Event ids older than this are forgotten by deduplication. */
  dedupeRetentionDays?: number;
  now?: () => Date;
}

/**
 * The stream job's settings from the configuration, for `startStreamJob`.
 *
 * @param config The process's configuration.
 * @returns Topic, dead-letter topic, group, batch size and dedupe retention.
 */
export function streamSettings(config: Config) {
  return {
    topic: config.bus.pinsTopic,
    dlqTopic: config.bus.dlqTopic,
    group: config.realtime.group,
    batchRecords: config.realtime.batchRecords,
    dedupeRetentionDays: config.realtime.dedupeRetentionDays,
  } satisfies Partial<StreamJobOptions>;
}

/** A running stream job. */
export interface StreamJob {
  /** Finishes the batch in hand, then leaves the group. */
  stop(): Promise<void>;
}

const ATTEMPTS = 5;
const PRUNE_EVERY_MS = 10 * 60_000;

function _retry<T>(logger: Logger, what: string, work: () => Promise<T>): Promise<T> {
  return retry(work, {
    attempts: ATTEMPTS,
    minDelayMs: 200,
    maxDelayMs: Infinity,
    onRetry: (error, { attempt }) => logger.warn(`${what} failed; retrying`, { attempt, error }),
  });
}

/**
 * Starts the stream job.
 *
 * @param options The bus, store, metrics, logger and topics.
 * @returns The running job.
 */
export async function startStreamJob(options: StreamJobOptions): Promise<StreamJob> {
  const {
    bus,
    store,
    metrics,
    logger,
    topic,
    dlqTopic,
    group = "realtime",
    batchRecords = 5000,
    dedupeRetentionDays = 7,
    now = () => new Date(),
  } = options;
  const lastCommit = new Map<number, number>();
  let consumer: BusConsumer | null = null;

  async function deadLetter(batch: ConsumedBatch, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const receivedAt = now().toISOString();
    const records = letters.map((letter) => ({
      key: null,
      value: JSON.stringify(deadLetterRecord(letter, receivedAt)),
    }));
    await _retry(logger, "Writing dead letters", () => bus.produce(dlqTopic, records));
    metrics.deadLetters.inc(letters.length);
    logger.warn("Poison records sent to the dead-letter topic", {
      partition: batch.partition,
      count: letters.length,
    });
  }

  async function eachBatch(batch: ConsumedBatch): Promise<void> {
    const started = performance.now();
    const pins: PositionedPin[] = [];
    const letters: DeadLetter[] = [];
    const nulled: NulledCounts = {};
    for (const record of batch.records) {
      const parsed = parseRecord(record.value, nulled);
      if (parsed.ok) pins.push({ offset: record.offset, pin: parsed.pin });
      else {
        letters.push({
          source: `stream:${batch.topic}/${batch.partition}@${record.offset}`,
          reason: parsed.reason,
          problems: parsed.problems,
          raw: record.value,
        });
      }
    }
    await deadLetter(batch, letters);
    const nextOffset = batch.records[batch.records.length - 1]!.offset + 1;
    const result = await _retry(
      logger,
      "Applying a batch",
      () =>
        store.apply({ group, topic: batch.topic, partition: batch.partition, pins, nextOffset }),
    ).catch((error) => {
      metrics.batches.inc({ result: "failed" });
      throw error;
    });
    const committedAt = now().getTime();
    metrics.events.inc(result.applied);
    addNulled(metrics.nulled, nulled);
    metrics.duplicates.inc(result.duplicates);
    metrics.replayed.inc(result.replayed);
    metrics.batches.inc({ result: "ok" });
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    metrics.lag.set(
      { partition: String(batch.partition) },
      Math.max(0, batch.highWatermark - nextOffset),
    );
    for (const { pin } of pins) {
      metrics.freshness.observe(Math.max(0, committedAt - Date.parse(pin.received_at)) / 1000);
    }
    // The store holds the truth; the bus's committed offset follows it, about once a second,
    // so that the usual lag tools see the group's progress.
    if (committedAt - (lastCommit.get(batch.partition) ?? 0) > 1000) {
      lastCommit.set(batch.partition, committedAt);
      consumer?.commit(batch.partition, nextOffset).catch((error) =>
        logger.debug("Committing the offset to the bus failed", { error })
      );
    }
  }

  async function onAssign(partitions: number[]): Promise<Map<number, number>> {
    const stored = await store.offsets(group, topic);
    logger.info("Partitions assigned", { partitions, resumeAt: Object.fromEntries(stored) });
    // A partition the store has never seen starts at the beginning, whatever the bus's
    // committed offset says: the store, not the bus, decides what has been counted.
    return new Map(partitions.map((p) => [p, stored.get(p) ?? 0]));
  }

  async function prune(): Promise<void> {
    const before = new Date(now().getTime() - dedupeRetentionDays * 86_400_000);
    const removed = await store.pruneSeen(before);
    if (removed > 0) {
      logger.info("Pruned deduplication ids", { removed, before: before.toISOString() });
    }
  }

  consumer = await bus.consume({ groupId: group, topic, maxBatchRecords: batchRecords }, {
    onAssign,
    eachBatch,
  });
  const pruner = setInterval(() => {
    prune().catch((error) => logger.warn("Pruning deduplication ids failed", { error }));
  }, PRUNE_EVERY_MS);
  logger.info("Stream job started", { topic, group, store: store.kind });
  return {
    async stop() {
      clearInterval(pruner);
      await consumer?.stop();
      logger.info("Stream job stopped");
    },
  };
}
