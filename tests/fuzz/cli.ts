/**
 * `deno task fuzz`: runs the pipeline fuzzer and prints progress lines with
 * the rate, a final table, and every failure with its shrunk case and the
 * command that replays it. Exits 1 when a case failed.
 *
 * ```sh
 * deno task fuzz --runs 50 [--seed S] [--real] [--kafka] [--avoid CLASS,...] [--keep-going]
 * deno task fuzz --seed S --path P   # replays a reported failure
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { formatTable } from "../../lib/runtime/table.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { AVOIDABLE, type AvoidedClass } from "./text_arbitraries.ts";
import { describeCase, recipeJson } from "./describe_case.ts";
import { EMBEDDED, REAL } from "./pipeline_adapters.ts";
import { type CaseProgress, type FuzzFailure, runPipelineFuzz } from "./pipeline_fuzz.ts";
import { formatViolations } from "./violation.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "20" },
    seed: { type: "string" },
    path: { type: "string" },
    real: { type: "boolean", default: false },
    kafka: { type: "boolean", default: false },
    avoid: { type: "string", default: "" },
    "keep-going": { type: "boolean", default: false },
    "max-steps": { type: "string" },
    "max-batch-items": { type: "string" },
    "shrink-seconds": { type: "string", default: "120" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    "deno task fuzz [--runs N] [--seed S] [--path P] [--real] [--kafka] [--avoid CLASS,...]\n" +
      "               [--keep-going] [--max-steps N] [--max-batch-items N] [--shrink-seconds N]\n" +
      `classes --avoid leaves out: ${AVOIDABLE.join(", ")}`,
  );
  Deno.exit(0);
}

function _int(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    console.error(`Cannot parse --${name} as an integer: current value is '${text}'`);
    Deno.exit(2);
  }
  return value;
}

const avoid = new Set(values.avoid.split(",").filter((s) => s !== "") as AvoidedClass[]);
for (const name of avoid) {
  if (!AVOIDABLE.includes(name)) {
    console.error(`Cannot avoid '${name}': known classes are ${AVOIDABLE.join(", ")}`);
    Deno.exit(2);
  }
}
const seed = _int("seed", values.seed) ?? Math.floor(Math.random() * 2 ** 31);
const runs = _int("runs", values.runs)!;
const adapters = {
  ...(values.real ? REAL : EMBEDDED),
  ...(values.kafka ? { bus: "kafka" as const } : {}),
};
const started = performance.now();
let events = 0;

console.log(
  `pipeline fuzz: seed ${seed}, ${runs} cases${
    values.path ? `, replaying path ${values.path}` : ""
  }`,
);

function progress(p: CaseProgress): void {
  if (!p.shrinking) events += p.items;
  const seconds = (performance.now() - started) / 1000;
  const t = p.timings;
  console.log(
    `${p.shrinking ? "shrink" : "case"} ${String(p.cases).padStart(4)}  ${
      p.failed ? "FAIL" : "ok  "
    }  ` +
      `items ${String(p.items).padStart(5)} (accepted ${String(p.accepted).padStart(4)})  ` +
      `${(p.ms / 1000).toFixed(1)} s` +
      (t ? ` [send ${t.send} drain ${t.drain} batch ${t.batch} read ${t.read} ms]` : "") +
      `  ${(events / seconds).toFixed(0)} items/s`,
  );
}

function printFailure(failure: FuzzFailure): void {
  console.log(
    `\nFAILURE (seed ${failure.seed}, after ${failure.runsBefore} cases, ${failure.shrinks} shrinks)`,
  );
  console.log(formatViolations(failure.violations));
  console.log(`\nshrunk case, as sent:\n${describeCase(failure.counterexample)}`);
  console.log(`\nrecipe:\n${recipeJson(failure.counterexample)}`);
  console.log(`\nreplay: ${failure.replay}\n`);
}

const report = await runPipelineFuzz({
  runs,
  seed,
  path: values.path,
  adapters,
  cases: {
    avoid,
    maxSteps: _int("max-steps", values["max-steps"]),
    maxBatchItems: _int("max-batch-items", values["max-batch-items"]),
  },
  shrinkBudgetMs: _int("shrink-seconds", values["shrink-seconds"])! * 1000,
  keepGoing: values["keep-going"],
  onCase: progress,
  onFailure: printFailure,
  logger: createLogger({ level: "warn" }),
});

console.log(
  "\n" + formatTable(
    [
      "adapters",
      "seed",
      "cases",
      "with shrinking",
      "items sent",
      "accepted",
      "failures",
      "seconds",
      "items/s",
    ],
    [[
      report.adapters,
      report.seed,
      report.cases,
      report.executed,
      report.items,
      report.accepted,
      report.failures.length,
      Number((report.elapsedMs / 1000).toFixed(1)),
      Math.round(report.items / (report.elapsedMs / 1000)),
    ]],
  ),
);
Deno.exit(report.failures.length > 0 ? 1 : 0);
