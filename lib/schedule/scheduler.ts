/**
 * The batch scheduler: runs the catch-up batch at start and then on a cron
 * schedule (Deno.cron, UTC), one run at a time (the batch lock), logging
 * each run and keeping its outcome in metrics.
 *
 * A run asked for from outside (`deno task batch` beside `deno task dev`)
 * goes through {@linkcode Scheduler.runExclusive}: it waits for the lock
 * instead of being skipped, and is logged and counted like a scheduled run.
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
import { type BatchLock, tryBatchLock, waitBatchLock } from "./batch_lock.ts";

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
  /**
   * Runs `work` as a batch run under the batch lock, waiting while another
   * run (scheduled here, or in another process) holds it.
   *
   * @param holder Who runs it: the lock's note and the log's `reason`.
   * @param work The run, e.g. `runBatch` for the days asked for.
   * @param onWait Told the holder's note once, when the run has to wait.
   * @returns The run's summary.
   * @throws {Error} What `work` throws, or when the scheduler is stopping.
   */
  runExclusive(
    holder: string,
    work: () => Promise<BatchSummary>,
    onWait?: (heldBy: string) => void,
  ): Promise<BatchSummary>;
  /** Waits for the runs in progress; no new run starts afterwards. */
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

  const active = new Set<Promise<unknown>>();

  async function measured(
    reason: string,
    lock: BatchLock,
    work: () => Promise<BatchSummary>,
  ): Promise<BatchSummary> {
    const started = performance.now();
    metrics.running.set(1);
    logger.info("Batch run starting", { reason });
    try {
      const summary = await work();
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
      return summary;
    } catch (error) {
      metrics.runs.inc({ result: "failed" });
      logger.error("Batch run failed", { reason, error });
      throw error;
    } finally {
      metrics.running.set(0);
      metrics.lastDuration.set((performance.now() - started) / 1000);
      lock.release();
    }
  }

  function tracked<T>(running: Promise<T>): Promise<T> {
    active.add(running);
    running.catch(() => {}).finally(() => active.delete(running));
    return running;
  }

  async function run(reason: string): Promise<"ok" | "failed" | "skipped"> {
    const taken = await tryBatchLock(dataDir, "scheduler");
    if ("heldBy" in taken) {
      logger.warn("Batch skipped: another batch is running", { reason, heldBy: taken.heldBy });
      metrics.runs.inc({ result: "skipped" });
      return "skipped";
    }
    try {
      const summary = await tracked(measured(reason, taken.lock, runCatchUp));
      return summary.failed === 0 ? "ok" : "failed";
    } catch {
      return "failed";
    }
  }

  async function runExclusive(
    holder: string,
    work: () => Promise<BatchSummary>,
    onWait: (heldBy: string) => void = () => {},
  ): Promise<BatchSummary> {
    const refuse = () => new Error("Cannot run the batch: the scheduler is stopping");
    if (stopped) throw refuse();
    const lock = await waitBatchLock(dataDir, holder, onWait);
    if (stopped) {
      lock.release();
      throw refuse();
    }
    return await tracked(measured(holder, lock, work));
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
    runExclusive,
    async stop() {
      stopped = true;
      cronAbort.abort();
      await current;
      await Promise.allSettled([...active]);
    },
  };
}
