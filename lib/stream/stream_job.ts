/**
 * The stream job: consumes `pins` as group `realtime`, cleans each event with
 * the shared rules, and applies each partition's micro-batch to the
 * real-time store in one transaction with its offsets. On every assignment
 * it resumes from the offsets stored with the aggregates, not the bus's.
 *
 * A record never stalls a partition: poison (not JSON, not a pin event) and
 * records the database refuses for what they contain go to the dead-letter
 * topic with the reason and their position, and the partition moves on.
 * Only outages (the database or the bus not answering) are retried, with
 * backoff, for as long as they last; a partition with records waiting and
 * no commit for `stallSeconds` is reported stalled (gauge and health).
 *
 * @module
 */

import type { Bus, BusConsumer, ConsumedBatch } from "../bus/bus.ts";
import { type DeadLetter, deadLetterRecord } from "../pin/dead_letter.ts";
import type { Config } from "../runtime/config.ts";
import type { Logger } from "../runtime/logger.ts";
import type { NulledCounts } from "../pin/clean_outcomes.ts";
import {
  type PositionedPin,
  type RealtimeStore,
  RecordsRefusedError,
} from "../realtime/realtime_store.ts";
import { applyIsolatingRefusals } from "./isolate_refusals.ts";
import { keepTrying } from "./keep_trying.ts";
import { addNulled } from "./nulled_metric.ts";
import { refusedLetter, splitBatch } from "./parse_record.ts";
import { createStallWatch } from "./stall_watch.ts";
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
  /** A partition with records waiting and no commit for this long is stalled (default 60). */
  stallSeconds?: number;
  now?: () => Date;
}

/**
 * The stream job's settings from the configuration, for `startStreamJob`.
 *
 * @param config The process's configuration.
 * @returns Topic, dead-letter topic, group, batch size and stall period.
 */
export function streamSettings(config: Config) {
  return {
    topic: config.bus.pinsTopic,
    dlqTopic: config.bus.dlqTopic,
    group: config.realtime.group,
    batchRecords: config.realtime.batchRecords,
    stallSeconds: config.realtime.stallSeconds,
  } satisfies Partial<StreamJobOptions>;
}

/** A running stream job. */
export interface StreamJob {
  /** Degraded while a partition is stalled: records waiting and nothing committed for the stall period. */
  health(): { ok: boolean; detail: string };
  /** Finishes the batch in hand (unless it is waiting out an outage), then leaves the group. */
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;
const WATCH_EVERY_MS = 1000;

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
    stallSeconds = 60,
    now = () => new Date(),
  } = options;
  const lastCommit = new Map<number, number>();
  const stopping = new AbortController();
  const watch = createStallWatch(metrics, { stallSeconds, now: () => now().getTime() });
  let consumer: BusConsumer | null = null;

  function retrying(partition: number, what: string) {
    return (error: unknown, info: { attempt: number; retryInMs: number }) => {
      watch.failed(partition, error);
      logger.warn(`${what} failed; retrying`, { partition, ...info, error });
    };
  }

  async function deadLetter(partition: number, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const receivedAt = now().toISOString();
    const records = letters.map((letter) => ({
      key: null,
      value: JSON.stringify(deadLetterRecord(letter, receivedAt)),
    }));
    await keepTrying(() => bus.produce(dlqTopic, records), {
      signal: stopping.signal,
      onFailure: retrying(partition, "Writing dead letters"),
    });
    metrics.deadLetters.inc(letters.length);
    logger.warn("Poison records sent to the dead-letter topic", {
      partition,
      count: letters.length,
      reasons: [...new Set(letters.map((letter) => letter.reason))],
    });
  }

  function applyPart(batch: ConsumedBatch, pins: PositionedPin[], nextOffset: number) {
    const { partition } = batch;
    return keepTrying(
      () => store.apply({ group, topic: batch.topic, partition, pins, nextOffset }),
      {
        signal: stopping.signal,
        // A refusal of records is bisected by the caller; anything else is an outage.
        retriable: (error) => !(error instanceof RecordsRefusedError && pins.length > 0),
        onFailure: (error, info) => {
          metrics.batches.inc({ result: "failed" });
          retrying(partition, "Applying a batch")(error, info);
        },
      },
    );
  }

  async function eachBatch(batch: ConsumedBatch): Promise<void> {
    const started = performance.now();
    const { partition } = batch;
    const nextOffset = batch.records[batch.records.length - 1]!.offset + 1;
    watch.fetched(partition, batch.highWatermark, batch.records[0]!.offset);
    const nulled: NulledCounts = {};
    const { pins, letters } = splitBatch(batch, nulled);
    await deadLetter(partition, letters);
    const refused = new Set<number>();
    const result = await applyIsolatingRefusals(pins, nextOffset, {
      apply: (part, next) => applyPart(batch, part, next),
      refuse: async (item, error) => {
        refused.add(item.offset);
        logger.warn("The database refused a record", {
          partition,
          offset: item.offset,
          sqlstate: error.sqlstate,
        });
        await deadLetter(partition, [refusedLetter(batch, item.offset, error)]);
      },
    });
    const committedAt = now().getTime();
    watch.committed(partition, batch.highWatermark, nextOffset);
    metrics.events.inc(result.applied);
    addNulled(metrics.nulled, nulled);
    metrics.duplicates.inc(result.duplicates);
    metrics.replayed.inc(result.replayed);
    metrics.batches.inc({ result: "ok" });
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
    for (const { offset, pin } of pins) {
      if (refused.has(offset)) continue;
      metrics.freshness.observe(Math.max(0, committedAt - Date.parse(pin.received_at)) / 1000);
    }
    // The store holds the truth; the bus's committed offset follows it, about once a second,
    // so that the usual lag tools see the group's progress.
    if (committedAt - (lastCommit.get(partition) ?? 0) > 1000) {
      lastCommit.set(partition, committedAt);
      consumer?.commit(partition, nextOffset).catch((error) =>
        logger.debug("Committing the offset to the bus failed", { error })
      );
    }
  }

  async function onAssign(partitions: number[]): Promise<Map<number, number>> {
    watch.assigned(partitions);
    const stored = await store.offsets(group, topic);
    logger.info("Partitions assigned", { partitions, resumeAt: Object.fromEntries(stored) });
    // A partition the store has never seen starts at the beginning, whatever the bus's
    // committed offset says: the store, not the bus, decides what has been counted.
    return new Map(partitions.map((p) => [p, stored.get(p) ?? 0]));
  }

  async function prune(): Promise<void> {
    const report = await store.retain(now());
    if (report.created.length + report.dropped.length + report.aggregateRows > 0) {
      logger.info("Retention pass", { ...report });
    }
  }

  consumer = await bus.consume({ groupId: group, topic, maxBatchRecords: batchRecords }, {
    onAssign,
    eachBatch,
  });
  const pruner = setInterval(() => {
    prune().catch((error) => logger.warn("The retention pass failed", { error }));
  }, PRUNE_EVERY_MS);
  const watcher = setInterval(() => watch.refresh(), WATCH_EVERY_MS);
  logger.info("Stream job started", { topic, group, store: store.kind, stallSeconds });
  return {
    health: () => watch.health(),
    async stop() {
      clearInterval(pruner);
      clearInterval(watcher);
      // Leaving first, then ending any wait for an outage, so the batch in hand returns.
      const leaving = consumer?.stop();
      stopping.abort(new Error("The stream job is stopping"));
      await leaving;
      logger.info("Stream job stopped");
    },
  };
}
