/**
 * Pipeline health for the dashboard, read from the process's Prometheus
 * registry: the stream job's consumer lag and dead letters, and the edge's
 * dead letters. In `deno task dev` one registry holds them all; an edge
 * deployed alone holds only its own, and the rest reads as null. Freshness
 * is read from the real-time store instead (see `dashboard_state.ts`), so
 * that it survives a restart.
 *
 * @module
 */

import type { Registry } from "prom-client";
import { STREAM_DEAD_LETTERS_METRIC, STREAM_LAG_METRIC } from "../../lib/stream/stream_metrics.ts";
import { INGEST_DEAD_LETTERS_METRIC } from "../http/edge_metrics.ts";

/** Metric names read from the registry, from the modules that define the metrics. */
export const HEALTH_METRICS = {
  lag: STREAM_LAG_METRIC,
  streamDeadLetters: STREAM_DEAD_LETTERS_METRIC,
  edgeDeadLetters: INGEST_DEAD_LETTERS_METRIC,
} as const;

/** Records not yet applied by the stream job, per partition and in total. */
export interface ConsumerLag {
  total: number;
  partitions: Record<string, number>;
}

/** Records written to the dead-letter topic by this process. */
export interface DeadLetters {
  total: number;
  /** By the edge (invalid events); null when the edge's metrics are not here. */
  edge: number | null;
  /** By the stream job (poison records); null when the stream job's metrics are not here. */
  stream: number | null;
}

/** What the registry says about the pipeline; null where the process holds no such metric. */
export interface PipelineHealth {
  consumer_lag: ConsumerLag | null;
  dead_letters: DeadLetters | null;
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
    const [lag, streamDlq, edgeDlq] = await Promise.all([
      _samples(registry, HEALTH_METRICS.lag),
      _samples(registry, HEALTH_METRICS.streamDeadLetters),
      _samples(registry, HEALTH_METRICS.edgeDeadLetters),
    ]);
    const partitions = Object.fromEntries(
      (lag ?? []).map((s) => [String(s.labels.partition ?? ""), s.value]),
    );
    const sum = (samples: _Sample[] | null) =>
      samples ? samples.reduce((n, s) => n + s.value, 0) : null;
    const edge = sum(edgeDlq);
    const stream = sum(streamDlq);
    return {
      consumer_lag: lag
        ? { total: Object.values(partitions).reduce((n, v) => n + v, 0), partitions }
        : null,
      dead_letters: edge === null && stream === null
        ? null
        : { total: (edge ?? 0) + (stream ?? 0), edge, stream },
    };
  };
}
