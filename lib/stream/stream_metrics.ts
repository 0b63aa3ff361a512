/**
 * The stream job's Prometheus metrics, prefix `pipeline_stream_`, and the
 * cleaning's own `pipeline_clean_nulled_total`.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { type NulledCounter, startNulledAtZero } from "./nulled_metric.ts";

/** Name of the gauge of records not yet applied, per partition (read by the dashboard). */
export const STREAM_LAG_METRIC = "pipeline_stream_consumer_lag_records";
/** Name of the histogram of receive-to-commit seconds (read by the dashboard). */
export const STREAM_FRESHNESS_METRIC = "pipeline_stream_freshness_seconds";
/** Name of the counter of poison records dead-lettered (read by the dashboard). */
export const STREAM_DEAD_LETTERS_METRIC = "pipeline_stream_dead_letters_total";
/** Name of the counter of values the cleaning made null, by field and reason. */
export const CLEAN_NULLED_METRIC = "pipeline_clean_nulled_total";

/** The stream job's metrics. */
export interface StreamMetrics {
  events: Counter;
  duplicates: Counter;
  replayed: Counter;
  batches: Counter<"result">;
  batchSeconds: Histogram;
  lag: Gauge<"partition">;
  stalled: Gauge<"partition">;
  deadLetters: Counter;
  freshness: Histogram;
  nulled: NulledCounter;
}

/**
 * Registers the stream job's metrics.
 *
 * @param registry The process's registry.
 * @returns The metrics.
 */
export function createStreamMetrics(registry: Registry): StreamMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: "pipeline_stream_events_processed_total",
      help: "Pin events counted into the real-time views",
      registers,
    }),
    duplicates: new Counter({
      name: "pipeline_stream_duplicates_dropped_total",
      help: "Pin events dropped because their event_id was already counted",
      registers,
    }),
    replayed: new Counter({
      name: "pipeline_stream_replayed_records_total",
      help:
        "Records skipped because their offsets were already applied (after a restart or rebalance)",
      registers,
    }),
    batches: new Counter({
      name: "pipeline_stream_batches_total",
      help: "Micro-batches applied, by result",
      labelNames: ["result"],
      registers,
    }),
    batchSeconds: new Histogram({
      name: "pipeline_stream_batch_duration_seconds",
      help: "Time to parse, clean and apply one micro-batch in one transaction",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    lag: new Gauge({
      name: STREAM_LAG_METRIC,
      help: "Records in the partition not yet applied (high watermark minus next offset)",
      labelNames: ["partition"],
      registers,
    }),
    stalled: new Gauge({
      name: "pipeline_stream_partition_stalled",
      help:
        "1 while the partition has records waiting and nothing was committed for STREAM_STALL_SECONDS, else 0",
      labelNames: ["partition"],
      registers,
    }),
    deadLetters: new Counter({
      name: STREAM_DEAD_LETTERS_METRIC,
      help: "Poison records written to the dead-letter topic: unusable, or refused by the database",
      registers,
    }),
    freshness: new Histogram({
      name: STREAM_FRESHNESS_METRIC,
      help: "Time from the edge receiving an event to its count being committed",
      buckets: [
        0.01,
        0.025,
        0.05,
        0.075,
        0.1,
        0.15,
        0.2,
        0.3,
        0.5,
        0.75,
        1,
        1.5,
        2,
        3,
        5,
        10,
        30,
        60,
        300,
      ],
      registers,
    }),
    nulled: startNulledAtZero(
      new Counter({
        name: CLEAN_NULLED_METRIC,
        help: "Values the cleaning made null in applied micro-batches, by field and reason " +
          "(sentinel, blank, unparseable, empty_list)",
        labelNames: ["field", "reason"],
        registers,
      }),
    ),
  };
}
