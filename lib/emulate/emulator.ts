/**
 * The user posting emulation: posts generated pin events to an edge, one by
 * one (as the seed's client does) or in batches, at a target rate or as fast
 * as possible, and counts what happened.
 *
 * @module
 */

import { delay } from "../runtime/async.ts";
import type { PinEvent } from "../pin/pin_event.ts";

/** Options of {@linkcode runEmulation}. */
export interface EmulationOptions {
  /** The edge's base URL, e.g. http://localhost:8000. */
  url: string;
  next: () => PinEvent;
  /** Events to send in all. */
  count: number;
  /** Events per request: 1 posts to /pin/, more posts JSON arrays to /pins. */
  batchSize: number;
  /** Target events per second; 0 sends as fast as the edge answers. */
  rate: number;
  /** Requests in flight at once. */
  concurrency: number;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Called about once a second with the counts so far. */
  onProgress?(stats: EmulationStats): void;
  signal?: AbortSignal;
}

/** What an emulation did. */
export interface EmulationStats {
  sent: number;
  accepted: number;
  rejected: number;
  errors: number;
  requests: number;
  elapsedSeconds: number;
  /** Request latencies in milliseconds, sorted. */
  latenciesMs: number[];
  /** Answers by HTTP status ("network" when none came). */
  statuses: Record<string, number>;
}

/**
 * Runs the emulation to completion (or until `signal` aborts).
 *
 * @returns The counts and latencies.
 */
export async function runEmulation(options: EmulationOptions): Promise<EmulationStats> {
  const { url, next, count, batchSize, rate, concurrency, apiKey, onProgress, signal } = options;
  const doFetch = options.fetch ?? fetch;
  const endpoint = batchSize === 1 ? `${url}/pin/` : `${url}/pins`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (apiKey) headers["x-api-key"] = apiKey;
  const stats: EmulationStats = {
    sent: 0,
    accepted: 0,
    rejected: 0,
    errors: 0,
    requests: 0,
    elapsedSeconds: 0,
    latenciesMs: [],
    statuses: {},
  };
  const started = performance.now();
  let claimed = 0;
  const progress = onProgress
    ? setInterval(() => {
      stats.elapsedSeconds = (performance.now() - started) / 1000;
      onProgress(stats);
    }, 1000)
    : undefined;

  async function send(events: PinEvent[]): Promise<void> {
    const body = JSON.stringify(batchSize === 1 ? events[0] : events);
    const t0 = performance.now();
    let status = "network";
    try {
      const response = await doFetch(endpoint, { method: "POST", headers, body, signal });
      status = String(response.status);
      if (response.ok && batchSize > 1) {
        const answer = await response.json() as { accepted: number; rejected: unknown[] };
        stats.accepted += answer.accepted;
        stats.rejected += answer.rejected.length;
      } else {
        await response.body?.cancel();
        if (response.ok) stats.accepted += 1;
        else stats.errors += events.length;
      }
    } catch {
      stats.errors += events.length;
    }
    stats.latenciesMs.push(performance.now() - t0);
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
    stats.requests += 1;
  }

  async function worker(): Promise<void> {
    while (claimed < count && !signal?.aborted) {
      const size = Math.min(batchSize, count - claimed);
      claimed += size;
      if (rate > 0) {
        const due = started + (claimed - size) / rate * 1000;
        const wait = due - performance.now();
        if (wait > 0) await delay(wait);
      }
      const events = Array.from({ length: size }, next);
      stats.sent += size;
      await send(events);
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    clearInterval(progress);
  }
  stats.elapsedSeconds = (performance.now() - started) / 1000;
  stats.latenciesMs.sort((a, b) => a - b);
  return stats;
}

/**
 * The q-th quantile of sorted values (nearest rank).
 *
 * @param sorted Values in ascending order.
 * @param q A fraction in [0, 1].
 * @returns The quantile, or NaN for no values.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
