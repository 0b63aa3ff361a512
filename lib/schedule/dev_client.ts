/**
 * What `deno task batch` and `deno task query` ask of a running `deno task
 * dev` through its control listener (routes in `dev_control.ts`): a flush of
 * the archive, or a whole batch run whose progress is replayed here.
 *
 * @module
 */

import type { FlushReport } from "../archive/archiver.ts";
import type { BatchSummary } from "../batch/batch_runner.ts";
import type { BatchProgress } from "../batch/progress.ts";
import { isProgressEvent, replayProgress } from "../batch/progress_events.ts";
import { callControl } from "../runtime/control_client.ts";
import type { ControlFile } from "../runtime/control_file.ts";
import type { DevEvent } from "./dev_control.ts";

/**
 * One line saying what a flush did.
 *
 * @param report The flush's report.
 * @param control The dev process that flushed.
 * @returns E.g. `deno task dev (pid 4242) flushed 12 event(s) of 3 partition(s) to the archive in 40 ms`.
 */
export function describeFlush(report: FlushReport, control: ControlFile): string {
  return `deno task dev (pid ${control.pid}) flushed ${report.records} event(s) of ` +
    `${report.partitions} partition(s) to the archive in ${report.ms} ms`;
}

/**
 * Asks dev to archive every event acknowledged so far, and waits until it has.
 *
 * @param control Dev's control file, from `findControl`.
 * @returns What was flushed.
 * @throws {Error} When dev cannot be reached or the flush fails (one line).
 */
export async function flushThroughDev(control: ControlFile): Promise<FlushReport> {
  for await (const event of callControl(control, "flush", {})) {
    const { type, ...report } = event as DevEvent;
    if (type === "flushed") return report as FlushReport;
  }
  throw new Error(`deno task dev (pid ${control.pid}) ended /flush without a report`);
}

/** Options of {@linkcode batchThroughDev}. */
export interface DevBatchOptions {
  /** The days to run; a catch-up without. */
  days?: string[];
  /** Where the run's progress is displayed. */
  progress: BatchProgress;
  /** Told the flush and any wait for the lock, one line each. */
  note(line: string): void;
}

/**
 * Runs the batch inside dev: flush, lock, run, with the progress replayed
 * into `options.progress` as it comes.
 *
 * @param control Dev's control file, from `findControl`.
 * @param options Days, progress display, notes.
 * @returns The run's summary, as a run in this process would return it.
 * @throws {Error} When dev cannot be reached, the connection breaks, or the
 *   flush or the run fails (one line).
 */
export async function batchThroughDev(
  control: ControlFile,
  options: DevBatchOptions,
): Promise<BatchSummary> {
  const { days, progress, note } = options;
  let displaying = false;
  try {
    for await (const raw of callControl(control, "batch", days ? { days } : {})) {
      const event = raw as DevEvent;
      if (isProgressEvent(event)) {
        if (event.type === "start") displaying = true;
        if (event.type === "finish") displaying = false;
        replayProgress(event, progress);
      } else if (event.type === "flushed") {
        note(describeFlush(event, control));
      } else if (event.type === "waiting") {
        note(`waiting for the batch run in progress to finish (${event.heldBy})`);
      } else if (event.type === "summary") {
        return event.summary;
      }
    }
  } finally {
    if (displaying) progress.finish();
  }
  throw new Error(`deno task dev (pid ${control.pid}) ended /batch without a summary`);
}
