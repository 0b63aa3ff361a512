/**
 * Monitoring against running processes:
 *
 * - every metric named in ops/alerts.yml and the Grafana dashboards is
 *   served at `/metrics` by one of the pipeline's processes, each started
 *   as its deno task (entry point and permissions from deno.json) on the
 *   embedded defaults;
 * - the harness's real Prometheus scrapes a running edge and answers a
 *   PromQL query with the number of events the test posted.
 */

import assert from "node:assert/strict";
import { freePort } from "../fixtures/commands.ts";
import { startEdge } from "../../edge/server.ts";
import { openBus } from "../../lib/bus/mod.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import {
  denoRunTask,
  denoTasks,
  opsExpressions,
  PIPELINE_PROCESSES,
  type PipelineProcess,
  promqlMetricNames,
  REPO,
  SYNTHETIC_METRICS,
} from "../fixtures/ops_stack.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { delay } from "../../lib/runtime/async.ts";
import {
  registerPrometheusTarget,
  unregisterPrometheusTarget,
} from "../services/prometheus_targets.ts";
import { testWithService } from "../services/test_with_service.ts";
import { seedPin } from "../fixtures/seed_pins.ts";

const _START_TIMEOUT_MS = 180_000;
const _HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

/** What one process serves at `/metrics`. */
interface Exposition {
  /** `# TYPE` names and their types (histogram, counter, ...). */
  types: Map<string, string>;
  /** Names of the samples. */
  samples: Set<string>;
}

function _parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Set<string>();
  for (const line of text.split("\n")) {
    const type = line.match(/^# TYPE ([A-Za-z_:][\w:]*) (\w+)/);
    if (type) types.set(type[1]!, type[2]!);
    const sample = line.match(/^([A-Za-z_:][\w:]*)[{ ]/);
    if (sample) samples.add(sample[1]!);
  }
  return { types, samples };
}

/** Whether `name` (as PromQL names it) is in the exposition, `_bucket` etc. of histograms included. */
function _serves(exposition: Exposition, name: string): boolean {
  if (exposition.samples.has(name) || exposition.types.has(name)) return true;
  const suffix = _HISTOGRAM_SUFFIXES.find((candidate) => name.endsWith(candidate));
  if (suffix === undefined) return false;
  const type = exposition.types.get(name.slice(0, -suffix.length));
  return type === "histogram" || (type === "summary" && suffix !== "_bucket");
}

async function _drain(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    into.push(decoder.decode(chunk, { stream: true }));
    if (into.length > 400) into.splice(0, into.length - 400);
  }
}

/** The result of starting one process and reading its `/metrics`. */
interface Scrape {
  process: PipelineProcess;
  exposition: Exposition;
}

/**
 * Starts `process` as its deno task with its own data directory under
 * `data/` (the archive task may only write there), waits for `/metrics`,
 * scrapes it, and stops the process. A missing task or entry point fails.
 */
async function _scrapeProcess(
  process: PipelineProcess,
  tasks: Record<string, string>,
  runDir: string,
): Promise<Scrape> {
  const task = tasks[process.task];
  assert.ok(task !== undefined, `${process.service}: deno.json has no task ${process.task}`);
  const run = denoRunTask(task);
  assert.ok(run, `Task '${process.task}' is not 'deno run <flags> <file>': ${task}`);
  try {
    await Deno.stat(new URL(run.file, REPO));
  } catch {
    assert.fail(`${process.service}: ${run.file} (deno task ${process.task}) does not exist`);
  }
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...run.flags, run.file],
    cwd: new URL(".", REPO),
    env: {
      HOST: "127.0.0.1",
      PORT: process.portVariable === "PORT" ? String(port) : "0",
      METRICS_PORT: process.portVariable === "METRICS_PORT" ? String(port) : "0",
      PIPELINE_DATA_DIR: `${runDir}/${process.service}`,
      LOG_LEVEL: "warn",
      // The embedded defaults, whatever the test's own environment points at.
      KAFKA_BROKERS: "",
      DATABASE_URL: "",
      S3_ENDPOINT: "",
      CASSANDRA_CONTACT_POINTS: "",
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const drained = Promise.all([_drain(child.stdout, output), _drain(child.stderr, output)]);
  let exited = false;
  const status = child.status.then((value) => {
    exited = true;
    return value;
  });
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    const deadline = Date.now() + _START_TIMEOUT_MS;
    while (true) {
      if (exited) {
        assert.fail(
          `${process.service} (deno task ${process.task}) exited with ${
            (await status)
              .code
          } before serving /metrics:\n${output.join("").slice(-3000)}`,
        );
      }
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => null);
      if (response?.ok) {
        if (process.service === "edge") {
          // A request and an event, so the labelled series have samples too.
          const posted = await fetch(`http://127.0.0.1:${port}/pin/`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(seedPin()),
          });
          await posted.body?.cancel();
          await response.body?.cancel();
          const again = await fetch(url);
          return { process, exposition: _parseExposition(await again.text()) };
        }
        return { process, exposition: _parseExposition(await response.text()) };
      }
      await response?.body?.cancel();
      assert.ok(
        Date.now() < deadline,
        `${process.service} did not serve ${url} within ${_START_TIMEOUT_MS} ms:\n${
          output.join("").slice(-3000)
        }`,
      );
      await delay(250);
    }
  } finally {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        if (!exited) child.kill("SIGKILL");
      }, 15_000);
      await status;
      clearTimeout(timer);
    }
    await drained;
  }
}

Deno.test({
  name: "[monitoring] every metric the alerts and dashboards name is served by a running process",
  async fn(t) {
    const tasks = await denoTasks();
    const runDir = `data/.monitoring-test-${crypto.randomUUID().slice(0, 8)}`;
    let scrapes: Scrape[];
    try {
      scrapes = await Promise.all(
        PIPELINE_PROCESSES.map((process) => _scrapeProcess(process, tasks, runDir)),
      );
    } finally {
      await Deno.remove(new URL(runDir, REPO), { recursive: true }).catch(() => {});
    }
    await t.step("each process serves its memory (default metrics, prefix pipeline_)", () => {
      for (const scrape of scrapes) {
        assert.ok(
          _serves(scrape.exposition, "pipeline_process_resident_memory_bytes"),
          `${scrape.process.service} does not serve pipeline_process_resident_memory_bytes`,
        );
      }
    });

    const expressions = await opsExpressions();
    const missing = new Map<string, string[]>();
    for (const { source, expr } of expressions) {
      for (const name of promqlMetricNames(expr)) {
        if (SYNTHETIC_METRICS.includes(name)) continue;
        if (scrapes.some((scrape) => _serves(scrape.exposition, name))) continue;
        missing.set(name, [...(missing.get(name) ?? []), source]);
      }
    }
    const report = [...missing].map(([name, sources]) => `${name} (${sources.join("; ")})`);
    await t.step(
      `${expressions.length} expressions, ${scrapes.length} processes: every name is served`,
      () => {
        assert.deepEqual(report, [], `Not served by any process:\n${report.join("\n")}`);
      },
    );
  },
});

await testWithService("prometheus", {
  name:
    "[monitoring] the harness's Prometheus scrapes a running edge and answers PromQL with the events posted",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const run = crypto.randomUUID();
    const targetId = `monitoring-${run}`;
    const dataDir = await Deno.makeTempDir({ prefix: "monitoring_test_" });
    const logger = createLogger({ level: "silent" });
    const config = loadConfig({
      HOST: "127.0.0.1",
      PORT: "0",
      PIPELINE_DATA_DIR: dataDir,
      PINS_PARTITIONS: "2",
    });
    const bus = await openBus(config.bus, config.dataDir, logger);
    const edge = await startEdge({ config, bus, logger, registry: createProcessRegistry() });
    const prometheus = serviceEndpoints().prometheusUrl;
    const query = async (promql: string) => {
      const response = await fetch(
        `${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      const body = await response.json();
      assert.equal(body?.status, "success", JSON.stringify(body));
      return body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
    };
    try {
      const events = Array.from({ length: 37 }, createPinGenerator({ seed: 5 }));
      await t.step("posts 37 events to the edge", async () => {
        const response = await fetch(`${edge.url}/pins`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(events),
        });
        assert.deepEqual(await response.json(), { accepted: events.length, rejected: [] });
      });

      await t.step("registers the edge with Prometheus (file_sd)", async () => {
        const port = new URL(edge.url).port;
        await registerPrometheusTarget(targetId, `127.0.0.1:${port}`, { run });
      });

      await t.step("pipeline_ingest_events_accepted_total answers 37 within 30 s", async () => {
        const promql = `pipeline_ingest_events_accepted_total{run="${run}"}`;
        const deadline = Date.now() + 30_000;
        let last: unknown = [];
        while (Date.now() < deadline) {
          const result = await query(promql);
          last = result;
          if (result[0] !== undefined) {
            assert.equal(result.length, 1);
            assert.equal(result[0].value[1], String(events.length));
            assert.equal(result[0].metric.job, "pipeline");
            const up = await query(`up{run="${run}"}`);
            assert.equal(up[0]?.value[1], "1");
            return;
          }
          await delay(500);
        }
        assert.fail(`Prometheus never answered ${promql} in 30 s; last: ${JSON.stringify(last)}`);
      });

      await t.step("PromQL over the scraped histogram: a produce latency quantile", async () => {
        const result = await query(
          `histogram_quantile(0.99, sum by (le) (pipeline_produce_duration_seconds_bucket{run="${run}"}))`,
        );
        assert.equal(result.length, 1, JSON.stringify(result));
        const seconds = Number(result[0]!.value[1]);
        assert.ok(Number.isFinite(seconds) && seconds > 0, `p99 = ${seconds}`);
      });
    } finally {
      await unregisterPrometheusTarget(targetId);
      await edge.shutdown();
      await bus.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
