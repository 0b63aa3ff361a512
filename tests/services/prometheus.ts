/**
 * Prometheus from Debian's package on 127.0.0.1:9090, scraping every second:
 * itself, and the job `pipeline` whose targets are the JSON files in
 * `.services/data/prometheus/targets/` (see `prometheus_targets.ts`).
 *
 * @module
 */

import { installAptPackage } from "./apt_package.ts";
import { servicePaths } from "./paths.ts";
import { which } from "./process_control.ts";
import { prometheusTargetsDir } from "./prometheus_targets.ts";
import type { ServiceDefinition } from "./service_definition.ts";

const _HOST = "127.0.0.1";
const _PORT = 9090;

/** The harness's Prometheus service. */
export const prometheusService: ServiceDefinition = {
  name: "prometheus",
  host: _HOST,
  port: _PORT,
  readyTimeoutMs: 60_000,
  stopSignal: "SIGTERM",
  stopGraceMs: 15_000,

  async prepare(onProgress) {
    let binary = await which("prometheus");
    if (binary === undefined) {
      await installAptPackage("prometheus", onProgress);
      binary = await which("prometheus");
      if (binary === undefined) {
        throw new Error("Cannot find the prometheus binary on PATH after installing it");
      }
    }
    const { data } = servicePaths("prometheus");
    const targets = prometheusTargetsDir();
    await Deno.mkdir(`${data}/tsdb`, { recursive: true });
    await Deno.mkdir(targets, { recursive: true });
    const config = `${data}/prometheus.yml`;
    await Deno.writeTextFile(config, _prometheusYaml(targets));
    return {
      argv: [
        binary,
        `--config.file=${config}`,
        `--storage.tsdb.path=${data}/tsdb`,
        "--storage.tsdb.retention.time=2d",
        `--web.listen-address=${_HOST}:${_PORT}`,
        "--web.enable-lifecycle",
        "--log.level=warn",
      ],
    };
  },

  async isReady() {
    try {
      const response = await fetch(`http://${_HOST}:${_PORT}/-/ready`, {
        signal: AbortSignal.timeout(2000),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  },
};

function _prometheusYaml(targetsDir: string): string {
  return `# Written by tests/services/prometheus.ts on every start; edits are overwritten.
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["${_HOST}:${_PORT}"]
  - job_name: pipeline
    file_sd_configs:
      - files: ["${targetsDir}/*.json"]
        refresh_interval: 1s
`;
}
