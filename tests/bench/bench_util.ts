/**
 * Shared pieces of the benchmarks: peak memory of a process, wrk runs,
 * the broker's own performance tools, child processes of the pipeline.
 *
 * @module
 */

import type { Bus } from "../../lib/bus/bus.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { kafkaJavaCommand } from "../services/kafka.ts";

export { freePort } from "../fixtures/commands.ts";

/** Repository root. */
export const ROOT: string = new URL("../../", import.meta.url).pathname;

/**
 * Peak resident memory of a process (VmHWM), in MiB.
 *
 * @param pid The process.
 */
export async function peakRssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** What wrk measured. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

function _ms(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/**
 * Runs wrk with a Lua script against a URL.
 *
 * @returns Requests/s, latency percentiles, socket errors and non-2xx answers.
 */
export async function runWrk(
  url: string,
  script: string,
  options: { connections: number; threads: number; seconds: number },
): Promise<WrkResult> {
  const output = await new Deno.Command("wrk", {
    args: [
      `-t${options.threads}`,
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      "--latency",
      "-s",
      script,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) throw new Error(`wrk failed: ${new TextDecoder().decode(output.stderr)}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50Ms: _ms(/\s50%\s+(\S+)/.exec(text)?.[1] ?? ""),
    p99Ms: _ms(/\s99%\s+(\S+)/.exec(text)?.[1] ?? ""),
    errors: errors ? errors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}

/**
 * Writes a wrk Lua script that POSTs the given bodies in turn.
 *
 * @returns The script's path.
 */
export async function writeWrkScript(dir: string, name: string, bodies: string[]): Promise<string> {
  const lua = [
    "local bodies = {",
    ...bodies.map((body) => `  ${JSON.stringify(body)},`),
    "}",
    "local i = 0",
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    "request = function()",
    "  i = i % #bodies + 1",
    "  return wrk.format(nil, nil, nil, bodies[i])",
    "end",
  ].join("\n");
  const path = `${dir}/${name}.lua`;
  await Deno.writeTextFile(path, lua);
  return path;
}

/**
 * Runs one of Kafka's own tools (ProducerPerformance, ConsumerPerformance).
 *
 * @returns Its standard output.
 */
export async function runKafkaTool(mainClass: string, args: string[]): Promise<string> {
  const [java, ...rest] = await kafkaJavaCommand(mainClass, { heap: "1g" });
  const output = await new Deno.Command(java!, {
    args: [...rest, ...args],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`${mainClass} failed: ${new TextDecoder().decode(output.stderr).slice(-2000)}`);
  }
  return text;
}

/**
 * The `--v8-flags=...` a deno task of deno.json runs its process with, so a
 * benchmark runs the process as the task (and compose) does.
 *
 * @param task The task's name, e.g. `stream`.
 * @returns The flags, none when the task sets none.
 */
export function taskV8Flags(task: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const command: string = config.tasks?.[task] ?? "";
  return command.split(/\s+/).filter((word) => word.startsWith("--v8-flags="));
}

/**
 * Starts a pipeline process (`deno run -A <file>`) and waits for its `/health`.
 *
 * @param denoFlags Flags for `deno run`, before the file (e.g. {@linkcode taskV8Flags}).
 * @returns The child; kill it when done.
 */
export async function startPipelineProcess(
  file: string,
  env: Record<string, string>,
  healthUrl: string,
  denoFlags: string[] = [],
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...denoFlags, file],
    cwd: ROOT,
    env: { LOG_LEVEL: "error", ...env },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(healthUrl).then(async (r) => {
      await r.body?.cancel();
      return r.ok;
    }).catch(() => false);
    if (ok) return child;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${file} did not answer at ${healthUrl} within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A quantile from a Prometheus histogram in text exposition, interpolated
 * within its bucket as `histogram_quantile` does.
 *
 * @param text The `/metrics` text.
 * @param name The histogram's name (without `_bucket`).
 * @param q A fraction in (0, 1).
 */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, "gm"))]
    .map((m) => ({ le: m[1] === "+Inf" ? Infinity : Number(m[1]), count: Number(m[2]) }));
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let previous = { le: 0, count: 0 };
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return previous.le;
      const inBucket = bucket.count - previous.count;
      return previous.le +
        (bucket.le - previous.le) * (inBucket ? (rank - previous.count) / inBucket : 0);
    }
    previous = bucket;
  }
  return NaN;
}

/** What {@linkcode fillTopic} wrote. */
export interface FillResult {
  seconds: number;
  /** Bytes of record values, one newline each (the NDJSON size). */
  bytes: number;
}

/**
 * Pre-fills a topic with `total` generated events (20,000 seed-shaped
 * templates, each copy with its own `event_id`), 6 produce calls of 1,000 in
 * flight.
 *
 * @param idSuffix Makes the event ids unique to this run.
 */
export async function fillTopic(
  bus: Bus,
  topic: string,
  total: number,
  options: { seed: number; idSuffix: string },
): Promise<FillResult> {
  const templates = Array.from(
    { length: 20_000 },
    createPinGenerator({ seed: options.seed, posters: 5000 }),
  );
  const started = performance.now();
  let produced = 0;
  let bytes = 0;
  await Promise.all(Array.from({ length: 6 }, async () => {
    while (produced < total) {
      const start = produced;
      const size = Math.min(1000, total - start);
      produced += size;
      const receivedAt = new Date().toISOString();
      const records = Array.from({ length: size }, (_, i) => {
        const event = templates[(start + i) % templates.length]!;
        const value = JSON.stringify({
          ...event,
          event_id: `${start + i}-${options.idSuffix}`,
          received_at: receivedAt,
        });
        bytes += value.length + 1;
        return { key: event.poster_name, value };
      });
      await bus.produce(topic, records);
    }
  }));
  return { seconds: (performance.now() - started) / 1000, bytes };
}
