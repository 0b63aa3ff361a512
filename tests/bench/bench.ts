/**
 * `deno task bench`: the ingest, stream and archive benchmarks in one run,
 * each beside its ceilings measured in the same run, as one table with the
 * targets; the run is saved as JSON under `bench-results/` (git-ignored).
 *
 *   deno task services up && deno task bench [--quick] [--only ingest,stream,archive]
 *   deno task bench --compare bench-results/A.json bench-results/B.json
 *
 * `--quick` runs one short run of everything (a few minutes); the default
 * runs 3 wrk runs per row (medians) on full-size backlogs.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { runArchiveBench } from "./archive_bench.ts";
import {
  type BenchRow,
  type BenchRun,
  evaluateTargets,
  formatComparison,
  formatRun,
  formatTargets,
} from "./bench_report.ts";
import { ROOT } from "./bench_util.ts";
import { runIngestBench } from "./ingest_bench.ts";
import { runStreamBench } from "./stream_bench.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "ingest,stream,archive" },
    seconds: { type: "string" },
    runs: { type: "string" },
    events: { type: "string" },
    rate: { type: "string", default: "20000" },
    compare: { type: "boolean", default: false },
    out: { type: "string" },
  },
  allowPositionals: true,
});

async function _load(path: string): Promise<BenchRun> {
  return JSON.parse(await Deno.readTextFile(path)) as BenchRun;
}

if (values.compare) {
  const [a, b] = Deno.args.filter((arg) => !arg.startsWith("--"));
  if (!a || !b) {
    console.error("Usage: deno task bench --compare A.json B.json");
    Deno.exit(2);
  }
  const [runA, runB] = [await _load(a), await _load(b)];
  console.log(`A: ${a} (${runA.startedAt})\nB: ${b} (${runB.startedAt})\n`);
  console.log(formatComparison(runA, runB));
  Deno.exit(0);
}

const quick = values.quick;
const only = new Set(values.only.split(",").map((name) => name.trim()));
const events = values.events ? Number(values.events) : quick ? 300_000 : 2_000_000;
const options = {
  quick,
  only: [...only],
  seconds: Number(values.seconds ?? (quick ? 5 : 10)),
  runs: Number(values.runs ?? (quick ? 1 : 3)),
  events,
  rate: Number(values.rate),
  liveSeconds: quick ? 10 : 30,
};
const startedAt = new Date().toISOString();
const rows: BenchRow[] = [];
if (only.has("ingest")) {
  rows.push(
    ...await runIngestBench({
      seconds: options.seconds,
      runs: options.runs,
      producerRecords: events,
    }),
  );
}
if (only.has("stream")) {
  rows.push(
    ...await runStreamBench({ events, rate: options.rate, seconds: options.liveSeconds }),
  );
}
if (only.has("archive")) {
  rows.push(...await runArchiveBench({ events: Math.round(events / 2), flushSeconds: 2 }));
}

const run: BenchRun = {
  startedAt,
  options,
  host: { cpus: navigator.hardwareConcurrency, loadavg: Deno.loadavg() },
  rows,
};
const dir = `${ROOT}bench-results`;
await Deno.mkdir(dir, { recursive: true });
const out = values.out ?? `${dir}/${startedAt.replaceAll(":", "-").slice(0, 19)}.json`;
await Deno.writeTextFile(out, JSON.stringify(run, null, 2) + "\n");

console.log(
  `\nBenchmarks${quick ? " (quick)" : ""}: ${options.runs} wrk run(s) of ${options.seconds}s ` +
    `per row (medians), ${events} events in the stream backlog, ${
      Math.round(events / 2)
    } archived; ` +
    `${run.host.cpus} cores, load ${
      run.host.loadavg.map((n) => n.toFixed(1)).join(" ")
    } at start; Kafka, PostgreSQL and S3Proxy on this machine\n`,
);
console.log(formatRun(rows));
console.log(`\n${formatTargets(evaluateTargets(rows))}\n\nSaved: ${out}`);
