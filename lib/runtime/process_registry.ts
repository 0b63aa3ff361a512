/**
 * One Prometheus registry per process, with the process's default metrics
 * (CPU, memory, event loop, GC) under the common `pipeline_` prefix. Each
 * component registers its own metrics in it, so a process running several
 * components (`deno task dev`) serves them all on one `/metrics`.
 *
 * @module
 */

import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * Creates the process's registry.
 *
 * @returns A registry holding the default process metrics.
 */
export function createProcessRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "pipeline_" });
  return registry;
}
