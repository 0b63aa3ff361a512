/**
 * Registers scrape targets with the harness's Prometheus by writing
 * file_sd JSON files into its targets folder; Prometheus picks them up
 * within a second and scrapes them as the job `pipeline`.
 *
 * @module
 */

import { servicePaths } from "./paths.ts";

/**
 * The folder Prometheus's `pipeline` job reads targets from:
 * `PROMETHEUS_TARGETS_DIR`, else `.services/data/prometheus/targets`.
 *
 * @returns The folder's absolute path.
 */
export function prometheusTargetsDir(): string {
  return Deno.env.get("PROMETHEUS_TARGETS_DIR") ??
    `${servicePaths("prometheus").data}/targets`;
}

/**
 * Makes Prometheus scrape `address` (its `/metrics`) until unregistered.
 *
 * @example
 * ```ts
 * await registerPrometheusTarget("edge-1", "127.0.0.1:8000", { service: "edge" });
 * // ... later
 * await unregisterPrometheusTarget("edge-1");
 * ```
 *
 * @param id A name for the target, unique among registered ones (letters, digits, `-`, `_`, `.`).
 * @param address The `host:port` that serves `/metrics`.
 * @param labels Extra labels Prometheus attaches to every scraped series.
 * @returns The path of the file written.
 * @throws {Error} When `id` has characters unfit for a file name.
 */
export async function registerPrometheusTarget(
  id: string,
  address: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const file = _targetFile(id);
  await Deno.mkdir(prometheusTargetsDir(), { recursive: true });
  // Write then rename, so Prometheus never reads half a file; the temporary
  // name does not match the `*.json` pattern.
  const temporary = `${file}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temporary, JSON.stringify([{ targets: [address], labels }]) + "\n");
  await Deno.rename(temporary, file);
  return file;
}

/**
 * Stops Prometheus scraping a target registered with
 * {@linkcode registerPrometheusTarget}; a missing target is no error.
 *
 * @param id The name given at registration.
 */
export async function unregisterPrometheusTarget(id: string): Promise<void> {
  await Deno.remove(_targetFile(id)).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

function _targetFile(id: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
    throw new Error(
      `Cannot use '${id}' as a Prometheus target id: only letters, digits, '-', '_' and '.' are allowed`,
    );
  }
  return `${prometheusTargetsDir()}/${id}.json`;
}
