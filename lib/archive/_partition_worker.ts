/**
 * Archives one partition: buffers its records, seals the buffer when a bound
 * is reached, and writes sealed buffers one after the other — flush intent,
 * one gzip NDJSON object per hour, then the offset commit — retrying with
 * backoff until it succeeds or the worker is abandoned. Nothing is dropped:
 * a sealed buffer leaves the queue only once committed.
 *
 * @module
 */

import { gzipSync } from "node:zlib";
import { type ConsumedRecord, PartitionsLostError } from "../bus/bus.ts";
import { retry } from "../runtime/async.ts";
import type { Logger } from "../runtime/logger.ts";
import { hourBucket, type LogZonePrefix } from "./archive_key.ts";
import type { ArchiveMetrics } from "./archive_metrics.ts";
import { writeIntent } from "./_flush_intent.ts";
import { createPartitionBuffer, type SealedBuffer, sealedKeys } from "./_partition_buffer.ts";
import type { ObjectStore } from "./object_store.ts";

/** What a worker needs. */
export interface PartitionWorkerDeps {
  topic: string;
  partition: number;
  store: ObjectStore;
  /** The zone its objects are written in. */
  keyPrefix: LogZonePrefix;
  commit(partition: number, nextOffset: number): Promise<void>;
  metrics: ArchiveMetrics;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now(): number;
  bounds: { records: number; chars: number; ageMs: number };
  gzipLevel: number;
  retry: { minMs: number; maxMs: number };
  /** Replay exactly up to this offset before cutting anywhere else (from the flush intent). */
  pinnedLast: number | null;
  /** Told the partition's next offset after each commit. */
  onCommitted?(nextOffset: number): void;
  /**
   * Told that a commit was refused because the consumer lost the partition
   * ({@linkcode PartitionsLostError}); the worker has abandoned itself by then.
   */
  onLost?(error: PartitionsLostError): void;
}

/** A running partition worker. */
export interface PartitionWorker {
  readonly partition: number;
  /** Appends records, skipping offsets already held (a rewind); seals on bounds. */
  accept(records: ConsumedRecord[]): void;
  /** Seals the buffer when its first record is older than the age bound. */
  sealIfDue(): void;
  /** Seals whatever is held, unless a pinned range is not complete yet. */
  sealAll(): void;
  /** Resolves once the held records are back under twice the bounds (or abandoned). */
  waitForRoom(): Promise<void>;
  /** Resolves once every sealed buffer is committed (or abandoned). */
  drained(): Promise<void>;
  /** Records held, sealed or not. */
  pending(): number;
  /** The next offset expected from the bus: the flush asked for by `flushNow` seals at it. */
  nextOffset(): number;
  /** When consecutive flush failures began, or null. */
  failingSince(): number | null;
  lastError(): string | null;
  /** Stops retrying and lets every waiter go; what is held is left uncommitted. */
  abandon(): void;
}

/** A sealed buffer on its way out, with what its attempts have done so far. */
interface Flush {
  sealed: SealedBuffer;
  keys: string[];
  bodies: (Uint8Array | null)[];
  uploaded: boolean[];
  intentWritten: boolean;
}

/**
 * Starts a worker for a partition.
 *
 * @param deps Store, commit, metrics, bounds and the pinned replay end.
 * @returns The worker.
 */
export function createPartitionWorker(deps: PartitionWorkerDeps): PartitionWorker {
  const { topic, partition, store, metrics, logger, now, bounds } = deps;
  const buffer = createPartitionBuffer(partition);
  const queue: Flush[] = [];
  let queuedRecords = 0;
  let queuedChars = 0;
  let pinnedLast = deps.pinnedLast;
  let lastAppended = -1;
  let pumping: Promise<void> | null = null;
  let abandoned = false;
  let failingSince: number | null = null;
  let lastError: string | null = null;
  let waiters: Array<() => void> = [];
  const abandonment = new AbortController();

  function notify(): void {
    const current = waiters;
    waiters = [];
    for (const resolve of current) resolve();
  }

  function changed(): Promise<void> {
    return new Promise((resolve) => waiters.push(resolve));
  }

  function seal(): void {
    const sealed = buffer.seal();
    if (!sealed) return;
    queue.push({
      sealed,
      keys: sealedKeys(sealed, deps.keyPrefix),
      bodies: sealed.groups.map(() => null),
      uploaded: sealed.groups.map(() => false),
      intentWritten: false,
    });
    queuedRecords += sealed.records;
    queuedChars += sealed.chars;
    pump();
  }

  async function upload(flush: Flush, index: number): Promise<void> {
    const group = flush.sealed.groups[index]!;
    let body = flush.bodies[index];
    if (!body) {
      const ndjson = group.ndjson.bytes();
      body = gzipSync(ndjson, { level: deps.gzipLevel });
      flush.bodies[index] = body;
      metrics.uncompressedBytes.inc(ndjson.byteLength);
      group.ndjson.clear(); // the compressed body is kept for retries
    }
    const started = performance.now();
    await store.put(flush.keys[index]!, body, "application/gzip");
    metrics.uploadSeconds.observe((performance.now() - started) / 1000);
    flush.uploaded[index] = true;
    metrics.objectsWritten.inc();
    metrics.bytesWritten.inc(body.byteLength);
    metrics.recordsArchived.inc(group.records);
    metrics.lastUploadTimestamp.set(now() / 1000);
  }

  async function attempt(flush: Flush): Promise<void> {
    const { sealed } = flush;
    if (!flush.intentWritten) {
      try {
        await writeIntent(store, {
          version: 1,
          topic,
          partition,
          firstOffset: sealed.firstOffset,
          lastOffset: sealed.lastOffset,
          keys: flush.keys,
          writtenAt: new Date(now()).toISOString(),
        });
      } catch (error) {
        metrics.uploadFailures.inc();
        throw error;
      }
      flush.intentWritten = true;
    }
    const pendingUploads = sealed.groups.map((_, i) => i).filter((i) => !flush.uploaded[i]);
    const results = await Promise.allSettled(pendingUploads.map((i) => upload(flush, i)));
    const failed = results.filter((result) => result.status === "rejected");
    metrics.uploadFailures.inc(failed.length);
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
    await deps.commit(partition, sealed.lastOffset + 1);
    deps.onCommitted?.(sealed.lastOffset + 1);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0 && !abandoned) {
      const flush = queue[0]!;
      try {
        await retry(() => attempt(flush), {
          attempts: Infinity,
          minDelayMs: deps.retry.minMs,
          maxDelayMs: deps.retry.maxMs,
          signal: abandonment.signal,
          // Not ours any more: the next owner replays the range into the same keys.
          retriable: (error) => !(error instanceof PartitionsLostError),
          onRetry(error, { delayMs }) {
            failingSince ??= now();
            lastError = (error as Error).message;
            logger.error("Cannot archive a partition's records; retrying", {
              topic,
              partition,
              firstOffset: flush.sealed.firstOffset,
              lastOffset: flush.sealed.lastOffset,
              retryInMs: delayMs,
              error,
            });
          },
        });
      } catch (error) {
        if (abandoned) return;
        if (error instanceof PartitionsLostError) {
          logger.warn("Partition lost before its commit; leaving its records to the next owner", {
            topic,
            partition,
            firstOffset: flush.sealed.firstOffset,
            lastOffset: flush.sealed.lastOffset,
            error: error.message,
          });
          abandon();
          deps.onLost?.(error);
          return;
        }
        throw error;
      }
      failingSince = null;
      lastError = null;
      queue.shift();
      queuedRecords -= flush.sealed.records;
      queuedChars -= flush.sealed.chars;
      logger.debug("Archived", {
        topic,
        partition,
        firstOffset: flush.sealed.firstOffset,
        lastOffset: flush.sealed.lastOffset,
        keys: flush.keys,
      });
      notify();
    }
  }

  function abandon(): void {
    abandoned = true;
    abandonment.abort();
    notify();
  }

  function pump(): void {
    pumping ??= drain().finally(() => {
      pumping = null;
      notify();
      if (queue.length > 0 && !abandoned) pump();
    });
  }

  return {
    partition,
    accept(records) {
      const at = now();
      for (const record of records) {
        if (record.offset <= lastAppended) continue;
        if (pinnedLast !== null && record.offset > pinnedLast) {
          seal();
          pinnedLast = null;
        }
        // The hour comes from the record's tail: the edge writes `received_at` as the last key
        // (the contract on `Ingestor.accept`, lib/ingest/ingest.ts); others take a full parse.
        buffer.append(record.offset, record.value, hourBucket(record.value, record.timestamp), at);
        lastAppended = record.offset;
        if (pinnedLast !== null) {
          if (record.offset >= pinnedLast) {
            seal();
            pinnedLast = null;
          }
        } else if (buffer.records() >= bounds.records || buffer.chars() >= bounds.chars) {
          seal();
        }
      }
    },
    sealIfDue() {
      const startedAt = buffer.startedAt();
      if (pinnedLast === null && startedAt !== null && now() - startedAt >= bounds.ageMs) seal();
    },
    sealAll() {
      if (pinnedLast === null) seal();
      else if (buffer.records() > 0) {
        logger.info("Leaving a partial replay of an interrupted flush to the next run", {
          topic,
          partition,
          upTo: pinnedLast,
        });
      }
    },
    async waitForRoom() {
      while (
        !abandoned && pinnedLast === null &&
        (queuedRecords + buffer.records() > 2 * bounds.records ||
          queuedChars + buffer.chars() > 2 * bounds.chars)
      ) await changed();
    },
    async drained() {
      while (!abandoned && queue.length > 0) await changed();
    },
    pending: () => queuedRecords + buffer.records(),
    nextOffset: () => lastAppended + 1,
    failingSince: () => failingSince,
    lastError: () => lastError,
    abandon,
  };
}
