/**
 * Pipeline health for the dashboard, read from the process's Prometheus
 * registry: the stream job's consumer lag and freshness. In `deno task dev`
 * one registry holds them all; an edge deployed alone holds only its own,
 * and the rest reads as null. (Dead letters are counted from the dead-letter
 * topic itself, see `lib/dlq/dlq_counts.ts`, so that they survive a restart.)
 *
 * @module
 */

import type { Registry } from "prom-client";
import { STREAM_FRESHNESS_METRIC, STREAM_LAG_METRIC } from "../../lib/stream/stream_metrics.ts";

/** Metric names read from the registry, from the modules that define the metrics. */
export const HEALTH_METRICS = {
  lag: STREAM_LAG_METRIC,
  freshness: STREAM_FRESHNESS_METRIC,
} as const;

/** Records not yet applied by the stream job, per partition and in total. */
export interface ConsumerLag {
  total: number;
  partitions: Record<string, number>;
}

/** Time from the edge receiving an event to its count being committed. */
export interface Freshness {
  p50_seconds: number;
  p95_seconds: number;
  /** Events the quantiles are computed from. */
  observations: number;
  /** The quantiles cover the last `over_seconds`; null: since the process started. */
  over_seconds: number | null;
}

/** What the registry says about the pipeline; null where the process holds no such metric. */
export interface PipelineHealth {
  consumer_lag: ConsumerLag | null;
  freshness: Freshness | null;
}

interface _Sample {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

interface _Buckets {
  at: number;
  /** Upper bounds, ascending, the last one Infinity. */
  bounds: number[];
  /** Cumulative counts per bound. */
  counts: number[];
}

const RECENT_MS = 60_000;
const SNAPSHOT_EVERY_MS = 5_000;

async function _samples(registry: Registry, name: string): Promise<_Sample[] | null> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return null;
  return (await metric.get()).values as _Sample[];
}

function _buckets(samples: _Sample[], at: number): _Buckets {
  const rows = samples.filter((s) => s.metricName?.endsWith("_bucket") && s.labels.le !== undefined)
    .map((s) => ({
      bound: s.labels.le === "+Inf" ? Infinity : Number(s.labels.le),
      count: s.value,
    }))
    .sort((a, b) => a.bound - b.bound);
  return { at, bounds: rows.map((r) => r.bound), counts: rows.map((r) => r.count) };
}

/**
 * The `q` quantile of a cumulative histogram, interpolated linearly inside
 * its bucket as Prometheus's `histogram_quantile` does; a quantile in the
 * `+Inf` bucket is the highest finite bound.
 *
 * @param bounds Upper bounds, ascending, the last one may be Infinity.
 * @param counts Cumulative counts per bound.
 * @param q The quantile, 0..1.
 * @returns The quantile, or null without observations.
 */
export function histogramQuantile(bounds: number[], counts: number[], q: number): number | null {
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    if (upper === Infinity) return lower;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return bounds.findLast((b) => b !== Infinity) ?? null;
}

/**
 * Creates the health reader. It keeps a few snapshots of the freshness
 * histogram so that its quantiles cover about the last minute rather than
 * the whole life of the process.
 *
 * @param registry The process's registry.
 * @param now The clock, in epoch milliseconds.
 * @returns A function reading the current health.
 */
export function createHealthReader(
  registry: Registry,
  now: () => number = Date.now,
): () => Promise<PipelineHealth> {
  const snapshots: _Buckets[] = [];

  function freshness(samples: _Sample[] | null): Freshness | null {
    if (!samples) return null;
    const current = _buckets(samples, now());
    const total = current.counts[current.counts.length - 1] ?? 0;
    if (total === 0) return null;
    const newest = snapshots[snapshots.length - 1];
    if (!newest || current.at - newest.at >= SNAPSHOT_EVERY_MS) snapshots.push(current);
    while (snapshots.length > 1 && current.at - snapshots[1]!.at >= RECENT_MS) snapshots.shift();
    const base = snapshots[0]!;
    const delta = current.counts.map((count, i) => count - (base.counts[i] ?? 0));
    const recent = base !== current && base.bounds.length === current.bounds.length &&
      (delta[delta.length - 1] ?? 0) > 0;
    const counts = recent ? delta : current.counts;
    return {
      p50_seconds: histogramQuantile(current.bounds, counts, 0.5)!,
      p95_seconds: histogramQuantile(current.bounds, counts, 0.95)!,
      observations: counts[counts.length - 1]!,
      over_seconds: recent ? Math.round((current.at - base.at) / 1000) : null,
    };
  }

  return async function readHealth(): Promise<PipelineHealth> {
    const [lag, fresh] = await Promise.all([
      _samples(registry, HEALTH_METRICS.lag),
      _samples(registry, HEALTH_METRICS.freshness),
    ]);
    const partitions = Object.fromEntries(
      (lag ?? []).map((s) => [String(s.labels.partition ?? ""), s.value]),
    );
    return {
      consumer_lag: lag
        ? { total: Object.values(partitions).reduce((n, v) => n + v, 0), partitions }
        : null,
      freshness: freshness(fresh),
    };
  };
}
