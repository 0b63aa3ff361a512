/**
 * Differential fuzzing of the whole pipeline: fast-check generates cases
 * (steps of requests with pin-like events, see `case_arbitraries.ts`), each
 * runs through the edge, the bus, the stream job, the archiver and the batch
 * on stores assembled once per run, and the oracle (`oracle.ts`) checks the
 * two views against the edge's answers. A failing case is shrunk within a
 * time budget and reported with the seed and path that replay it.
 *
 * @example
 * ```ts
 * const report = await runPipelineFuzz({ runs: 20, seed: 7 });
 * for (const failure of report.failures) console.log(failure.replay, failure.violations);
 * ```
 *
 * @module
 */

import fc from "fast-check";
import { createLogger, type Logger } from "../../lib/runtime/logger.ts";
import { type CaseOptions, type CaseRecipe, caseRecipe } from "./case_arbitraries.ts";
import { type CaseRun, type CaseRunOptions, runCase } from "./case_runner.ts";
import { materializeCase } from "./materialize_case.ts";
import { checkCase } from "./oracle.ts";
import {
  type AdapterChoice,
  EMBEDDED,
  type FuzzStores,
  openFuzzStores,
} from "./pipeline_adapters.ts";
import { formatViolations, type Violation } from "./violation.ts";

/** Options of {@linkcode runPipelineFuzz}. */
export interface PipelineFuzzOptions {
  /** Cases to generate (shrinking attempts come on top). */
  runs: number;
  /** fast-check's seed; the same seed and options give the same cases. */
  seed: number;
  /** Replays the case at this fast-check path (from a report) without shrinking further. */
  path?: string;
  adapters?: AdapterChoice;
  /** Case sizes and text classes. */
  cases?: CaseOptions;
  /** Bounds of each case run. */
  bounds?: CaseRunOptions;
  /** Time for shrinking one failure, after which the smallest failing case so far is reported (default 120 s). */
  shrinkBudgetMs?: number;
  /** After a failure, go on with the next seed until `runs` cases ran (default false). */
  keepGoing?: boolean;
  /** Called after every case, shrinking attempts included. */
  onCase?(progress: CaseProgress): void;
  /** Called with each failure once it is shrunk. */
  onFailure?(failure: FuzzFailure): void;
  /** Where the adapters log their lifecycle (silent by default). */
  logger?: Logger;
  /** Stores to use instead of opening them (the caller closes them). */
  stores?: FuzzStores;
}

/** One case done. */
export interface CaseProgress {
  /** Cases run so far, shrinking attempts included. */
  cases: number;
  shrinking: boolean;
  /** Items sent in this case and accepted by the edge. */
  items: number;
  accepted: number;
  failed: boolean;
  ms: number;
  timings: CaseRun["timings"] | null;
}

/** A failure, shrunk. */
export interface FuzzFailure {
  seed: number;
  /** fast-check's path of the shrunk case. */
  path: string;
  counterexample: CaseRecipe;
  violations: Violation[];
  /** Cases run before the failure, and shrinking steps taken. */
  runsBefore: number;
  shrinks: number;
  /** The command that replays it. */
  replay: string;
}

/** The outcome of a fuzz run. */
export interface PipelineFuzzReport {
  seed: number;
  adapters: string;
  /** Generated cases run (not counting shrinking attempts). */
  cases: number;
  /** All cases run, shrinking attempts included. */
  executed: number;
  items: number;
  accepted: number;
  failures: FuzzFailure[];
  elapsedMs: number;
}

class _ViolationsError extends Error {
  constructor(readonly violations: Violation[]) {
    super(formatViolations(violations));
    this.name = "ViolationsError";
  }
}

/**
 * The command line that replays a failure.
 *
 * @param seed The seed.
 * @param path The path.
 * @param options The run's options that shape cases.
 * @returns E.g. `deno task fuzz --seed 7 --path '3:1:0' --runs 1`.
 */
export function replayCommand(
  seed: number,
  path: string,
  options: Pick<PipelineFuzzOptions, "adapters" | "cases">,
): string {
  const parts = ["deno task fuzz", `--seed ${seed}`, `--path '${path}'`];
  const adapters = options.adapters ?? EMBEDDED;
  if (adapters.realtime === "postgres") parts.push("--real");
  if (adapters.bus === "kafka") parts.push("--kafka");
  const avoid = [...(options.cases?.avoid ?? [])];
  if (avoid.length > 0) parts.push(`--avoid ${avoid.join(",")}`);
  if (options.cases?.maxSteps) parts.push(`--max-steps ${options.cases.maxSteps}`);
  if (options.cases?.maxBatchItems) parts.push(`--max-batch-items ${options.cases.maxBatchItems}`);
  return parts.join(" ");
}

/**
 * Runs the fuzzer.
 *
 * @param options Runs, seed, adapters, sizes and callbacks.
 * @returns The report, with every failure shrunk.
 */
export async function runPipelineFuzz(options: PipelineFuzzOptions): Promise<PipelineFuzzReport> {
  const started = performance.now();
  const logger = options.logger ?? createLogger({ level: "silent" });
  const stores = options.stores ?? await openFuzzStores(options.adapters ?? EMBEDDED, logger);
  const report: PipelineFuzzReport = {
    seed: options.seed,
    adapters: stores.description,
    cases: 0,
    executed: 0,
    items: 0,
    accepted: 0,
    failures: [],
    elapsedMs: 0,
  };
  const budget = options.shrinkBudgetMs ?? 120_000;
  let failedAt: number | null = null;

  const property = fc.asyncProperty(caseRecipe(options.cases), async (recipe) => {
    if (failedAt !== null && performance.now() - failedAt > budget) return true;
    const began = performance.now();
    const sent = materializeCase(recipe);
    const caseStores = await stores.forCase(report.executed);
    let violations: Violation[];
    let run: CaseRun;
    try {
      run = await runCase(caseStores, sent, options.bounds);
      violations = checkCase(run);
    } catch (error) {
      failedAt ??= performance.now();
      throw error;
    } finally {
      await caseStores.release();
    }
    report.executed++;
    if (failedAt === null) {
      report.cases++;
      report.items += sent.items;
      report.accepted += run.truth.accepted.length;
    }
    options.onCase?.({
      cases: report.executed,
      shrinking: failedAt !== null,
      items: sent.items,
      accepted: run.truth.accepted.length,
      failed: violations.length > 0,
      ms: Math.round(performance.now() - began),
      timings: run.timings,
    });
    if (violations.length > 0) {
      failedAt ??= performance.now();
      throw new _ViolationsError(violations);
    }
    return true;
  });

  try {
    for (let attempt = 0; report.cases < options.runs; attempt++) {
      const seed = options.seed + attempt;
      failedAt = null;
      const details = await fc.check(property, {
        seed,
        numRuns: options.runs - report.cases,
        path: options.path,
        endOnFailure: options.path !== undefined,
      });
      if (details.failed && details.counterexample && details.counterexamplePath !== null) {
        const error = details.errorInstance;
        const failure: FuzzFailure = {
          seed,
          path: details.counterexamplePath,
          counterexample: details.counterexample[0],
          violations: error instanceof _ViolationsError
            ? error.violations
            : [{ component: "harness", message: String((error as Error)?.stack ?? error) }],
          runsBefore: details.numRuns,
          shrinks: details.numShrinks,
          replay: replayCommand(seed, details.counterexamplePath, options),
        };
        report.failures.push(failure);
        options.onFailure?.(failure);
      }
      if (!details.failed || !options.keepGoing || options.path !== undefined) break;
    }
  } finally {
    if (!options.stores) await stores.close();
  }
  report.elapsedMs = Math.round(performance.now() - started);
  return report;
}
