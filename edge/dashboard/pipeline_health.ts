/**
 * Pipeline health for the dashboard, read from the process's Prometheus
 * registry: the stream job's consumer lag. In `deno task dev` one registry
 * holds it; an edge deployed alone does not, and it reads as null. Freshness
 * is read from the real-time store (see `dashboard_state.ts`) and dead
 * letters from the dead-letter topic (see `lib/dlq/dlq_counts.ts`), so that
 * both survive a restart.
 *
 * @module
 */

import type { Registry } from "prom-client";
import { STREAM_LAG_METRIC } from "../../lib/stream/stream_metrics.ts";

/** Metric names read from the registry, from the modules that define the metrics. */
export const HEALTH_METRICS = {
  lag: STREAM_LAG_METRIC,
} as const;

/** Records not yet applied by the stream job, per partition and in total. */
export interface ConsumerLag {
  total: number;
  partitions: Record<string, number>;
}

/** What the registry says about the pipeline; null where the process holds no such metric. */
export interface PipelineHealth {
  consumer_lag: ConsumerLag | null;
}

interface _Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
}

async function _samples(registry: Registry, name: string): Promise<_Sample[] | null> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return null;
  return (await metric.get()).values as _Sample[];
}

/**
 * Creates the health reader.
 *
 * @param registry The process's registry.
 * @returns A function reading the current health.
 */
export function createHealthReader(registry: Registry): () => Promise<PipelineHealth> {
  return async function readHealth(): Promise<PipelineHealth> {
    const lag = await _samples(registry, HEALTH_METRICS.lag);
    const partitions = Object.fromEntries(
      (lag ?? []).map((s) => [String(s.labels.partition ?? ""), s.value]),
    );
    return {
      consumer_lag: lag
        ? { total: Object.values(partitions).reduce((n, v) => n + v, 0), partitions }
        : null,
    };
  };
}
