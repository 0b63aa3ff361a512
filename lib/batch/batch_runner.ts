/**
 * The batch runner: picks the days (given, or catch-up), processes each in
 * turn on one embedded DuckDB, records every run in the history store.
 * Call it in-process (the scheduler) or through `jobs/batch.ts`.
 *
 * Each day is written only under its lease from the history store, so runs
 * on many machines share the days without two ever writing one day: a day
 * another run holds is skipped (after waiting up to `leaseWaitMs`) and
 * reported, a day another run finished on the same inputs since this run
 * began is not redone, and a day whose lease is lost stops writing and fails.
 *
 * @module
 */

import { DuckDBInstance } from "@duckdb/node-api";
import type { ObjectStore } from "../archive/object_store.ts";
import type { Logger } from "../runtime/logger.ts";
import type { HistoryStore, RunInput } from "../history/history_store.ts";
import { leaseHolder, waitForLease } from "../history/lease.ts";
import { createCleanPool } from "./clean_pool.ts";
import { type DayResult, processDay } from "./day_processor.ts";
import type { BatchProgress } from "./progress.ts";
import { isDayDue, listDayInputs, listRawDays } from "./raw_zone.ts";

/** What the runner needs. */
export interface BatchDeps {
  store: ObjectStore;
  history: HistoryStore;
  logger: Logger;
  progress?: BatchProgress;
  /** Parent of the scratch directories; the system's temp directory by default. */
  tmpDir?: string;
  /** DuckDB's memory limit ("384MB" by default; past it, DuckDB spills to the scratch directory). */
  memoryLimit?: string;
  /** DuckDB threads; all cores by default. */
  threads?: number;
  /** Workers cleaning raw objects; one per core by default. */
  cleanWorkers?: number;
  clock?: () => Date;
  /** Who takes the days' leases; a new {@linkcode leaseHolder} id by default. */
  holder?: string;
}

/** Which days: the given ones, or (without `days`) every day due for catch-up. */
export interface BatchOptions {
  days?: string[];
  /** How long to wait for a day another run holds before skipping it (default 0). */
  leaseWaitMs?: number;
}

/** A day that failed. */
export interface DayFailure {
  day: string;
  error: string;
}

/** A day another run held: skipped, neither done nor failed here. */
export interface DayLeased {
  day: string;
  heldBy: string;
}

/** The outcome of a run. */
export interface BatchSummary {
  results: Array<DayResult | DayFailure>;
  leased: DayLeased[];
  /** Days another run finished, on the same inputs, since this run began: not redone. */
  doneElsewhere: string[];
  succeeded: number;
  failed: number;
}

/**
 * Runs the batch.
 *
 * @param deps Archive, history store, logger, progress display.
 * @param options `days` to process those days; nothing for catch-up.
 * @returns Each day's result; failed days are recorded and reported, not thrown.
 * @example
 * ```ts
 * const summary = await runBatch({ store, history, logger }, { days: ["2026-01-02"] });
 * if (summary.failed > 0) Deno.exit(1);
 * ```
 */
export async function runBatch(deps: BatchDeps, options: BatchOptions = {}): Promise<BatchSummary> {
  const { store, history, progress, clock = () => new Date(), holder = leaseHolder() } = deps;
  const logger = deps.logger.child({ component: "batch" });
  const began = clock();
  const plan = await _plan(store, history, options.days);
  const objects = [...plan.values()].reduce((sum, inputs) => sum + inputs.length, 0);
  const bytes = [...plan.values()].flat().reduce((sum, input) => sum + input.size, 0);
  logger.info("Batch starting", {
    days: plan.size,
    objects,
    mode: options.days ? "days" : "catch-up",
  });
  progress?.start(plan.size, objects, bytes);

  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: deps.memoryLimit ?? "384MB",
    ...(deps.threads ? { threads: String(deps.threads) } : {}),
    preserve_insertion_order: "false",
  });
  const duckdb = await instance.connect();
  const cleaners = createCleanPool(deps.cleanWorkers ?? navigator.hardwareConcurrency);
  const scratch = await Deno.makeTempDir({ dir: deps.tmpDir, prefix: "batch_" });
  await duckdb.run(`SET temp_directory = '${scratch.replaceAll("'", "''")}/spill'`);
  const results: BatchSummary["results"] = [];
  const leased: DayLeased[] = [];
  const doneElsewhere: string[] = [];
  try {
    for (const [day, inputs] of plan) {
      const taken = await waitForLease(() => history.leaseDay(day, holder), {
        waitMs: options.leaseWaitMs ?? 0,
        onWait: (heldBy) =>
          logger.info("Batch day leased by another run; waiting", { day, heldBy }),
      });
      if ("heldBy" in taken) {
        logger.warn("Batch day leased by another run; skipped", { day, heldBy: taken.heldBy });
        leased.push({ day, heldBy: taken.heldBy });
        continue;
      }
      const { lease } = taken;
      progress?.dayStarted(day);
      const started = performance.now();
      const workDir = `${scratch}/${day}`;
      await Deno.mkdir(workDir, { recursive: true });
      try {
        if (await _doneSince(history, day, inputs, began)) {
          logger.info("Batch day done by another run meanwhile; not redone", { day });
          doneElsewhere.push(day);
          continue;
        }
        logger.info("Batch day starting", { day, holder });
        const result = await processDay(
          {
            store,
            history,
            logger,
            duckdb,
            cleaners,
            workDir,
            signal: lease.lost,
            onObject: () => progress?.objectCopied(),
          },
          day,
          inputs,
        );
        lease.lost.throwIfAborted();
        await history.recordRun({
          day,
          status: "succeeded",
          inputs,
          rowsIn: result.rowsIn,
          valid: result.valid,
          invalid: result.badJson + result.invalid,
          duplicates: result.duplicates,
          rowsOut: result.rowsOut,
          nulled: result.nulled,
          durationMs: performance.now() - started,
          finishedAt: clock(),
        });
        logger.info("Batch day done", {
          day,
          objects: inputs.length,
          rowsIn: result.rowsIn,
          rowsOut: result.rowsOut,
          invalid: result.badJson + result.invalid,
          duplicates: result.duplicates,
        });
        results.push(result);
        progress?.dayFinished(result);
      } catch (error) {
        const message = (error as Error).message;
        logger.error("Batch day failed", { day, error });
        await history.recordRun({
          day,
          status: "failed",
          inputs,
          rowsIn: 0,
          valid: 0,
          invalid: 0,
          duplicates: 0,
          rowsOut: 0,
          durationMs: performance.now() - started,
          finishedAt: clock(),
          error: message,
        }).catch((recordError) =>
          logger.error("Cannot record the failed run", { day, error: recordError })
        );
        results.push({ day, error: message });
        progress?.dayFinished({ day, error: message });
      } finally {
        await lease.release().catch((error) =>
          logger.warn("Cannot release the day's lease; it expires with its TTL", { day, error })
        );
        await Deno.remove(workDir, { recursive: true }).catch(() => {});
      }
    }
  } finally {
    progress?.finish();
    cleaners.close();
    duckdb.closeSync();
    instance.closeSync();
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
  const failed = results.filter((result) => "error" in result).length;
  return { results, leased, doneElsewhere, succeeded: results.length - failed, failed };
}

/** Whether `day`'s last run succeeded on `inputs` and finished after `since`. */
async function _doneSince(
  history: HistoryStore,
  day: string,
  inputs: RunInput[],
  since: Date,
): Promise<boolean> {
  const last = (await history.runs()).find((run) => run.day === day);
  return last !== undefined && !isDayDue(inputs, last) && last.finishedAt > since;
}

async function _plan(
  store: ObjectStore,
  history: HistoryStore,
  days: string[] | undefined,
): Promise<Map<string, RunInput[]>> {
  if (days !== undefined) {
    const plan = new Map<string, RunInput[]>();
    for (const day of days) plan.set(day, await listDayInputs(store, day));
    return plan;
  }
  const last = new Map((await history.runs()).map((run) => [run.day, run]));
  const plan = new Map<string, RunInput[]>();
  for (const [day, inputs] of await listRawDays(store)) {
    if (isDayDue(inputs, last.get(day))) plan.set(day, inputs);
  }
  return plan;
}
