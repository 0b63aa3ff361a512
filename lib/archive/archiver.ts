/**
 * The archiver: consumer group `archive` on the pins topic, through the bus
 * port (Kafka or embedded), into the archive port (S3 or a local directory).
 * A second one archives the dead-letter topic (group `archive-dlq`) the same
 * way into the dead-letter zone (`dlq/...`, see `archiver_settings.ts`).
 *
 * Each partition's records are buffered as received (the JSON text exactly as
 * on the topic) and written as gzip NDJSON objects named by `archive_key.ts`
 * (partition, hour and offset range), one per hour of `received_at` per flush. A flush happens when the buffer
 * reaches `flushEvents` records or `flushBytes` bytes, or its first record is
 * `flushSeconds` old (a timer), or on {@linkcode Archiver.stop}, or, up to
 * the topic's end as of the call, on {@linkcode Archiver.flushNow}.
 *
 * Guarantees: a partition's offset is committed only after every object
 * holding its records up to there is written; a crash between the upload and
 * the commit replays the same range into the same keys (see
 * `_flush_intent.ts`), so each record lands in exactly one object. A failing
 * store is retried with backoff and the consumer stops advancing once a
 * partition holds twice its bounds (backpressure), so memory stays bounded
 * and nothing is dropped.
 *
 * @module
 */

import type { Bus, BusConsumer, ConsumedBatch } from "../bus/bus.ts";
import { deadline, retry } from "../runtime/async.ts";
import type { Logger } from "../runtime/logger.ts";
import { type LogZonePrefix, RAW_PREFIX } from "./archive_key.ts";
import type { ArchiveMetrics } from "./archive_metrics.ts";
import { readIntent } from "./_flush_intent.ts";
import { createFlushWaiters, flushTimeoutError } from "./_flush_waiters.ts";
import { createPartitionWorker, type PartitionWorker } from "./_partition_worker.ts";
import type { ObjectStore } from "./object_store.ts";

/** What {@linkcode createArchiver} needs. */
export interface ArchiverDeps {
  bus: Bus;
  store: ObjectStore;
  logger: Logger;
  metrics: ArchiveMetrics;
  /** The clock, in epoch milliseconds. */
  now?: () => number;
}

/** Options of {@linkcode createArchiver}. */
export interface ArchiverOptions {
  topic: string;
  /** Default `archive`. */
  groupId?: string;
  /** The zone the objects are written in: `pins/` (default) or `dlq/`. */
  keyPrefix?: LogZonePrefix;
  flushSeconds: number;
  /** Uncompressed size bound of a partition's buffer (UTF-16 code units: bytes for ASCII). */
  flushBytes: number;
  flushEvents: number;
  /** gzip level, 1 (fastest) to 9 (default 1: see the archive benchmark). */
  gzipLevel?: number;
  /** Records per `eachBatch` (default 5000). */
  maxBatchRecords?: number;
  /** Backoff between failed flushes (default 250 ms doubling up to 15 s). */
  retry?: { minMs: number; maxMs: number };
  /** How long {@linkcode Archiver.stop} tries to write what it holds (default 20 s). */
  stopTimeoutMs?: number;
  /**
   * Memory the buffers of all assigned partitions may hold (default 256 MiB). A
   * partition's size bound is `flushBytes`, lowered when the assigned partitions
   * times twice their bound (backpressure), at two bytes per UTF-16 unit, would not fit.
   */
  memoryBytes?: number;
}

/** The state `/health` reports. */
export interface ArchiverHealth {
  ok: boolean;
  detail: string;
}

/** What {@linkcode Archiver.flushNow} waited for. */
export interface FlushReport {
  /** Partitions that had records not yet archived when it was called. */
  partitions: number;
  /** Records that were not yet archived when it was called (buffered or not yet read). */
  records: number;
  /** How long it took. */
  ms: number;
}

/** A running archiver. */
export interface Archiver {
  /** Writes what it holds (within `stopTimeoutMs`), commits, leaves the group. */
  stop(): Promise<void>;
  /**
   * Archives every record acknowledged before the call: reads the topic's end
   * offsets now, seals the buffers holding records below them, and resolves
   * once each partition's committed position reaches its end offset.
   *
   * @param options `timeoutMs`, how long to wait (default 30 s).
   * @returns What was waited for.
   * @throws {Error} When the archiver is stopping, the bus cannot be read, or a
   *   partition is still behind after `timeoutMs` (the message names it and why).
   */
  flushNow(options?: { timeoutMs?: number }): Promise<FlushReport>;
  /** Degraded when a partition has failed to flush for over a minute. */
  health(): ArchiverHealth;
}

/**
 * Creates the bucket when missing, joins the consumer group and starts archiving.
 *
 * @param deps Bus, store, logger, metrics and clock.
 * @param options Topic, bounds and tuning.
 * @returns The running archiver.
 * @throws When the bucket cannot be created or the group joined.
 * @example
 * ```ts
 * const archiver = await createArchiver({ bus, store, logger, metrics: createArchiveMetrics(registry) }, {
 *   topic: "pins", flushSeconds: 60, flushBytes: 64 * 1024 * 1024, flushEvents: 500_000,
 * });
 * shutdown.add(() => archiver.stop());
 * ```
 */
export async function createArchiver(
  deps: ArchiverDeps,
  options: ArchiverOptions,
): Promise<Archiver> {
  const { bus, store, metrics, now = Date.now } = deps;
  const {
    topic,
    groupId = "archive",
    keyPrefix = RAW_PREFIX,
    gzipLevel = 1,
    maxBatchRecords = 5000,
    retry: backoff = { minMs: 250, maxMs: 15_000 },
    stopTimeoutMs = 20_000,
    memoryBytes = 256 * 1024 * 1024,
  } = options;
  const logger = deps.logger.child({ component: "archiver", topic });
  const bounds = {
    records: options.flushEvents,
    chars: options.flushBytes,
    ageMs: options.flushSeconds * 1000,
  };
  const workers = new Map<number, PartitionWorker>();
  /** Per partition: the last high watermark seen and the next offset committed. */
  const positions = new Map<number, { highWatermark: number; committed: number }>();
  const intake = Promise.withResolvers<void>();
  const flushes = createFlushWaiters();
  let stopping: Promise<void> | null = null;
  /** Bumped on every assignment: a batch handled across one drops what it opened. */
  let assignments = 0;
  const stopped = new AbortController();
  let consumer: BusConsumer | null = null;

  await store.ensureBucket();

  function updateBuffered(): void {
    let held = 0;
    for (const worker of workers.values()) held += worker.pending();
    metrics.bufferedRecords.set(held);
  }

  function updateLag(partition: number): void {
    const position = positions.get(partition);
    if (!position) return;
    const lag = Math.max(0, position.highWatermark - position.committed);
    metrics.consumerLag.set({ partition: String(partition) }, lag);
  }

  async function openWorkerOnce(partition: number, firstOffset: number): Promise<PartitionWorker> {
    const intent = await readIntent(store, topic, partition);
    const pinnedLast = intent?.firstOffset === firstOffset ? intent.lastOffset : null;
    if (pinnedLast !== null) {
      logger.info("Replaying an interrupted flush into the same objects", {
        partition,
        firstOffset,
        lastOffset: pinnedLast,
      });
    }
    const worker: PartitionWorker = createPartitionWorker({
      topic,
      partition,
      store,
      keyPrefix,
      commit: (p, next) => consumer!.commit(p, next),
      metrics,
      logger,
      now,
      bounds,
      gzipLevel,
      retry: backoff,
      pinnedLast,
      onCommitted(next) {
        const position = positions.get(partition);
        if (position) position.committed = next;
        updateLag(partition);
        flushes.committed(partition, next);
      },
      onLost() {
        if (workers.get(partition) !== worker) return;
        forget(partition, "Partition lost; its uncommitted records are read again");
      },
    });
    return worker;
  }

  /** Drops a partition's worker (abandoned): what it did not commit, the next owner replays. */
  function forget(partition: number, message: string): void {
    const worker = workers.get(partition);
    if (!worker) return;
    worker.abandon();
    workers.delete(partition);
    positions.delete(partition);
    metrics.consumerLag.remove({ partition: String(partition) });
    logger.info(message, { partition, held: worker.pending() });
    updateBuffered();
  }

  async function openWorker(
    partition: number,
    firstOffset: number,
  ): Promise<PartitionWorker | null> {
    try {
      return await retry(() => openWorkerOnce(partition, firstOffset), {
        attempts: Infinity,
        minDelayMs: backoff.minMs,
        maxDelayMs: backoff.maxMs,
        signal: stopped.signal,
        onRetry(error, { delayMs }) {
          logger.error("Cannot read the flush intent; retrying", {
            partition,
            retryInMs: delayMs,
            error,
          });
        },
      });
    } catch (error) {
      if (stopped.signal.aborted) return null;
      throw error;
    }
  }

  async function eachBatch(batch: ConsumedBatch): Promise<void> {
    const last = batch.records.at(-1);
    if (stopping) return await intake.promise;
    if (!last) return;
    const assignment = assignments;
    const { partition } = batch;
    const position = positions.get(partition);
    if (position) position.highWatermark = Math.max(position.highWatermark, batch.highWatermark);
    else {
      // The first batch starts where the group's committed offset is.
      const committed = batch.records[0]!.offset;
      positions.set(partition, { highWatermark: batch.highWatermark, committed });
    }
    updateLag(partition);
    let worker = workers.get(partition);
    if (!worker) {
      const opened = await openWorker(partition, batch.records[0]!.offset);
      if (!opened || stopping) return await intake.promise;
      // Reassigned meanwhile: the new assignment's first batch opens the worker at its committed offset.
      if (assignment !== assignments) return;
      worker = opened;
      workers.set(partition, worker);
    }
    worker.accept(batch.records);
    sealIfFlushing(worker);
    updateBuffered();
    await worker.waitForRoom();
    updateBuffered();
  }

  function onAssign(partitions: number[]): Promise<Map<number, number>> {
    // Held as UTF-8: one byte per UTF-16 unit for ASCII, two or three otherwise (budgeted
    // at two), and up to twice the bound held under backpressure.
    const fit = Math.floor(memoryBytes / 4 / Math.max(1, partitions.length));
    bounds.chars = Math.max(64 * 1024, Math.min(options.flushBytes, fit));
    if (bounds.chars < options.flushBytes) {
      logger.info("Lowered the object size bound to fit the memory budget", {
        partitions: partitions.length,
        flushBytes: bounds.chars,
        memoryBytes,
      });
    }
    assignments++;
    const kept = new Set(partitions);
    for (const partition of [...workers.keys()]) {
      if (kept.has(partition)) continue;
      // Its records are not committed past what was written: the new owner replays them.
      forget(partition, "Partition revoked; leaving its uncommitted records to the new owner");
    }
    updateBuffered();
    return Promise.resolve(new Map());
  }

  function stoppingError(): Error {
    return new Error(`Cannot flush the archive of topic '${topic}': the archiver is stopping`);
  }

  function sealIfFlushing(worker: PartitionWorker): void {
    const target = flushes.sealAt(worker.partition);
    if (target !== null && worker.nextOffset() >= target) worker.sealAll();
  }

  async function flushNow(timeoutMs: number): Promise<FlushReport> {
    const started = performance.now();
    if (stopping) throw stoppingError();
    const read = await bus.groupPositions(groupId, topic);
    if (stopping) throw stoppingError();
    const targets = new Map<number, number>();
    const from = new Map<number, number>();
    for (const { partition, committed, end } of read) {
      targets.set(partition, end);
      from.set(partition, Math.max(committed, positions.get(partition)?.committed ?? 0));
    }
    const request = flushes.wait(targets, from);
    for (const worker of workers.values()) sealIfFlushing(worker);
    updateBuffered();
    await deadline(request.done, timeoutMs, () => {
      request.cancel();
      throw flushTimeoutError(
        request.behind(),
        timeoutMs,
        (partition) => workers.get(partition)?.lastError() ?? null,
      );
    });
    const behind = read.filter(({ partition, end }) => from.get(partition)! < end);
    return {
      partitions: behind.length,
      records: behind.reduce((sum, { partition, end }) => sum + end - from.get(partition)!, 0),
      ms: Math.round(performance.now() - started),
    };
  }

  const tickMs = Math.min(1000, Math.max(50, bounds.ageMs / 4));
  const timer = setInterval(() => {
    for (const worker of workers.values()) worker.sealIfDue();
    updateBuffered();
  }, tickMs);

  try {
    consumer = await bus.consume({ groupId, topic, maxBatchRecords }, { onAssign, eachBatch });
  } catch (error) {
    clearInterval(timer);
    throw error;
  }
  logger.info("Archiving", { groupId, store: store.address, bus: bus.address, ...bounds });

  async function stop(): Promise<void> {
    stopped.abort();
    clearInterval(timer);
    const all = [...workers.values()];
    for (const worker of all) worker.sealAll();
    const drained = Promise.all(all.map((worker) => worker.drained())).then(() => false);
    const late = await deadline(drained, stopTimeoutMs, () => true);
    const left = all.reduce((sum, worker) => sum + worker.pending(), 0);
    for (const worker of all) worker.abandon();
    if (late || left > 0) {
      logger.warn("Stopped with records not archived; the next run replays them", { left });
    }
    flushes.failAll(stoppingError());
    intake.resolve();
    await consumer!.stop();
    updateBuffered();
    logger.info("Archiver stopped");
  }

  return {
    stop() {
      stopping ??= stop();
      return stopping;
    },
    flushNow: (options) => flushNow(options?.timeoutMs ?? 30_000),
    health() {
      const since = Math.min(
        ...[...workers.values()].map((worker) => worker.failingSince() ?? Infinity),
      );
      if (since !== Infinity && now() - since > 60_000) {
        const error = [...workers.values()].find((worker) => worker.lastError())?.lastError();
        return {
          ok: false,
          detail: `flushes failing for ${Math.round((now() - since) / 1000)} s: ${error}`,
        };
      }
      return { ok: true, detail: `${workers.size} partition(s) at ${store.address}` };
    },
  };
}
