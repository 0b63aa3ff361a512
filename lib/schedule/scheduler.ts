/**
 * The batch scheduler: runs the catch-up batch at start and then on a cron
 * schedule (Deno.cron, UTC), one run at a time (the batch lock), logging
 * each run and keeping its outcome in metrics.
 *
 * An external orchestrator can replace it: Airflow's BashOperator or a
 * Kubernetes CronJob runs `deno task batch --date {{ ds }}` (one day) or
 * `deno task batch` (catch-up); the same lock keeps runs apart on one host.
 *
 * @module
 */

import type { BatchSummary } from "../batch/batch_runner.ts";
import type { Logger } from "../runtime/logger.ts";
import type { BatchMetrics } from "./batch_metrics.ts";
import { tryBatchLock } from "./batch_lock.ts";

/** Options of {@linkcode startScheduler}. */
export interface SchedulerOptions {
  /** Runs one catch-up batch. */
  runCatchUp(): Promise<BatchSummary>;
  /** Where `batch.lock` lives. */
  dataDir: string;
  /** Cron expression, UTC (e.g. "30 1 * * *"). */
  cron: string;
  metrics: BatchMetrics;
  logger: Logger;
  /** Run a catch-up at start (default true), so missed days are done without waiting a day. */
  runAtStart?: boolean;
}

/** A running scheduler. */
export interface Scheduler {
  /** Runs a catch-up now (unless one is running); resolves when it ends. */
  runNow(reason: string): Promise<"ok" | "failed" | "skipped">;
  /** Waits for a run in progress; no new run starts afterwards. */
  stop(): Promise<void>;
}

/**
 * Starts the scheduler.
 *
 * @returns The scheduler.
 */
export function startScheduler(options: SchedulerOptions): Scheduler {
  const { runCatchUp, dataDir, cron, metrics, logger, runAtStart = true } = options;
  let current: Promise<"ok" | "failed" | "skipped"> | null = null;
  let stopped = false;
  const cronAbort = new AbortController();

  async function run(reason: string): Promise<"ok" | "failed" | "skipped"> {
    const taken = await tryBatchLock(dataDir, "scheduler");
    if ("heldBy" in taken) {
      logger.warn("Batch skipped: another batch is running", { reason, heldBy: taken.heldBy });
      metrics.runs.inc({ result: "skipped" });
      return "skipped";
    }
    const started = performance.now();
    metrics.running.set(1);
    logger.info("Batch run starting", { reason });
    try {
      const summary = await runCatchUp();
      const result = summary.failed === 0 ? "ok" : "failed";
      const events = summary.results.reduce((n, r) => n + ("rowsIn" in r ? r.rowsIn : 0), 0);
      metrics.events.inc(events);
      metrics.runs.inc({ result });
      if (result === "ok") metrics.lastSuccess.set(Date.now() / 1000);
      logger.info("Batch run finished", {
        reason,
        result,
        days: summary.results.length,
        failed: summary.failed,
        events,
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      });
      return result;
    } catch (error) {
      metrics.runs.inc({ result: "failed" });
      logger.error("Batch run failed", { reason, error });
      return "failed";
    } finally {
      metrics.running.set(0);
      metrics.lastDuration.set((performance.now() - started) / 1000);
      taken.lock.release();
    }
  }

  function runNow(reason: string): Promise<"ok" | "failed" | "skipped"> {
    if (stopped) return Promise.resolve("skipped");
    if (current) return current;
    current = run(reason).finally(() => current = null);
    return current;
  }

  Deno.cron("pipeline-daily-batch", cron, { signal: cronAbort.signal }, async () => {
    await runNow(`cron ${cron}`);
  });
  logger.info("Scheduler started", { cron, timezone: "UTC" });
  if (runAtStart) void runNow("start-up catch-up");

  return {
    runNow,
    async stop() {
      stopped = true;
      cronAbort.abort();
      await current;
    },
  };
}
