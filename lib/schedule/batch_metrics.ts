/**
 * Metrics of batch runs, prefix `pipeline_batch_`.
 *
 * @module
 */

import { Counter, Gauge, type Registry } from "prom-client";

/** The batch's metrics. */
export interface BatchMetrics {
  runs: Counter<"result">;
  lastSuccess: Gauge;
  lastDuration: Gauge;
  running: Gauge;
  events: Counter;
}

/**
 * Registers the batch metrics.
 *
 * @param registry The process's registry.
 */
export function createBatchMetrics(registry: Registry): BatchMetrics {
  const registers = [registry];
  return {
    runs: new Counter({
      name: "pipeline_batch_runs_total",
      help:
        "Batch runs, by result (ok: every due day succeeded; failed: a day failed; skipped: another batch held the lock)",
      labelNames: ["result"],
      registers,
    }),
    lastSuccess: new Gauge({
      name: "pipeline_batch_last_success_timestamp_seconds",
      help: "When the last fully successful batch run finished (Unix time); 0 before the first",
      registers,
    }),
    lastDuration: new Gauge({
      name: "pipeline_batch_last_run_duration_seconds",
      help: "How long the last batch run took",
      registers,
    }),
    running: new Gauge({
      name: "pipeline_batch_running",
      help: "1 while a batch runs in this process",
      registers,
    }),
    events: new Counter({
      name: "pipeline_batch_events_total",
      help: "Raw events read by batch runs of this process",
      registers,
    }),
  };
}
