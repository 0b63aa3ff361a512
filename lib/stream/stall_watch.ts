/**
 * Watches each partition's progress for the stream job: the consumer lag
 * (from the high watermark of every batch fetched, whether it is applied
 * or not, so the gauge stays truthful while a batch keeps failing) and
 * whether the partition is stalled: records waiting, and nothing committed
 * for the stall period. A stalled partition sets
 * `pipeline_stream_partition_stalled{partition}` to 1 and makes the job's
 * health degraded.
 *
 * @module
 */

import type { Gauge } from "prom-client";

/** The gauges the watch keeps up to date. */
export interface StallGauges {
  lag: Gauge<"partition">;
  stalled: Gauge<"partition">;
}

/** Options of {@linkcode createStallWatch}. */
export interface StallWatchOptions {
  /** How long a partition with records waiting may go without a commit. */
  stallSeconds: number;
  /** The clock, in epoch milliseconds. */
  now: () => number;
}

/** The stream job's view of its partitions' progress. */
export interface StallWatch {
  /** The partitions this worker owns now; the others are forgotten. */
  assigned(partitions: readonly number[]): void;
  /** A batch starting at `firstOffset` was fetched while the partition ended at `highWatermark`. */
  fetched(partition: number, highWatermark: number, firstOffset: number): void;
  /** The store committed the partition up to `nextOffset`. */
  committed(partition: number, highWatermark: number, nextOffset: number): void;
  /** A write for the partition failed and will be retried. */
  failed(partition: number, error: unknown): void;
  /** Sets the stalled gauge of every partition from the clock. */
  refresh(): void;
  /** Degraded while any partition is stalled, with which and why. */
  health(): { ok: boolean; detail: string };
}

interface _Progress {
  lag: number;
  /** The last commit, or when records started waiting after the partition was caught up. */
  since: number;
  lastError: string | null;
}

/**
 * Creates the watch.
 *
 * @param gauges The lag and stalled gauges, labelled by partition.
 * @param options The stall period and the clock.
 * @returns The watch.
 */
export function createStallWatch(gauges: StallGauges, options: StallWatchOptions): StallWatch {
  const { stallSeconds, now } = options;
  const partitions = new Map<number, _Progress>();

  function isStalled(progress: _Progress, at: number): boolean {
    return progress.lag > 0 && at - progress.since >= stallSeconds * 1000;
  }

  function setLag(partition: number, progress: _Progress, lag: number): void {
    progress.lag = Math.max(0, lag);
    gauges.lag.set({ partition: String(partition) }, progress.lag);
  }

  function refresh(): void {
    const at = now();
    for (const [partition, progress] of partitions) {
      gauges.stalled.set({ partition: String(partition) }, isStalled(progress, at) ? 1 : 0);
    }
  }

  return {
    assigned(owned) {
      const keep = new Set(owned);
      for (const partition of [...partitions.keys()]) {
        if (keep.has(partition)) continue;
        partitions.delete(partition);
        gauges.lag.remove({ partition: String(partition) });
        gauges.stalled.remove({ partition: String(partition) });
      }
    },
    fetched(partition, highWatermark, firstOffset) {
      let progress = partitions.get(partition);
      if (!progress || progress.lag === 0) {
        progress = { lag: 0, since: now(), lastError: null };
        partitions.set(partition, progress);
      }
      setLag(partition, progress, highWatermark - firstOffset);
      refresh();
    },
    committed(partition, highWatermark, nextOffset) {
      const progress = { lag: 0, since: now(), lastError: null };
      partitions.set(partition, progress);
      setLag(partition, progress, highWatermark - nextOffset);
      refresh();
    },
    failed(partition, error) {
      const progress = partitions.get(partition);
      if (progress) progress.lastError = error instanceof Error ? error.message : String(error);
    },
    refresh,
    health() {
      refresh();
      const at = now();
      const stalled: string[] = [];
      let lag = 0;
      for (const [partition, progress] of [...partitions].sort(([a], [b]) => a - b)) {
        lag += progress.lag;
        if (!isStalled(progress, at)) continue;
        const seconds = Math.floor((at - progress.since) / 1000);
        const why = progress.lastError ? `; last error: ${progress.lastError.slice(0, 200)}` : "";
        stalled.push(
          `partition ${partition} stalled: ${progress.lag} records waiting, nothing committed ` +
            `for ${seconds} s${why}`,
        );
      }
      if (stalled.length > 0) return { ok: false, detail: stalled.join("; ") };
      return { ok: true, detail: `${partitions.size} partition(s), ${lag} records waiting` };
    },
  };
}
