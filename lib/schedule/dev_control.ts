/**
 * The control routes of `deno task dev`, so that `deno task batch` and
 * `deno task query` use what dev holds (the archiver's buffers, the embedded
 * history file) instead of opening it a second time. Served by the control
 * listener (`lib/runtime/control_server.ts`); events are NDJSON lines:
 *
 * - `POST /flush` `{}`: archives every event acknowledged before the request
 *   (`Archiver.flushNow`), then emits `{"type":"flushed","partitions","records","ms"}`.
 * - `POST /batch` `{"days"?: ["YYYY-MM-DD", ...]}`: flushes as `/flush` does,
 *   then runs the batch — those days, or a catch-up without `days` — in dev,
 *   through the same `runBatch` as the scheduled run and under the
 *   scheduler's lock: `flushed`; `{"type":"waiting","heldBy"}` when another
 *   run holds the lock; the progress events (`lib/batch/progress_events.ts`);
 *   then `{"type":"summary","summary"}`.
 *
 * @module
 */

import type { Archiver, FlushReport } from "../archive/archiver.ts";
import type { ObjectStore } from "../archive/object_store.ts";
import { type BatchSummary, runBatch } from "../batch/batch_runner.ts";
import { parseDay } from "../batch/dates.ts";
import { progressEmitter, type ProgressEvent } from "../batch/progress_events.ts";
import type { HistoryStore } from "../history/history_store.ts";
import { type ControlServer, startControlServer } from "../runtime/control_server.ts";
import type { Logger } from "../runtime/logger.ts";
import type { Scheduler } from "./scheduler.ts";

/** An event of the dev routes. */
export type DevEvent =
  | ({ type: "flushed" } & FlushReport)
  | { type: "waiting"; heldBy: string }
  | ProgressEvent
  | { type: "summary"; summary: BatchSummary };

/** What {@linkcode startDevControl} needs: dev's running parts. */
export interface DevControlDeps {
  /** Where the control file and the batch lock live. */
  dataDir: string;
  archiver: Pick<Archiver, "flushNow">;
  scheduler: Pick<Scheduler, "runExclusive">;
  archive: ObjectStore;
  history: HistoryStore;
  logger: Logger;
}

/** Who holds the batch lock during a run asked for through dev. */
export const DEV_BATCH_HOLDER = "deno task batch (through deno task dev)";

function _isDay(value: unknown): boolean {
  try {
    return typeof value === "string" && parseDay(value) === value;
  } catch {
    return false;
  }
}

function _days(body: Record<string, unknown>): string[] | undefined {
  const { days } = body;
  if (days === undefined) return undefined;
  if (!Array.isArray(days) || days.length === 0 || !days.every(_isDay)) {
    throw new RangeError(
      `Invalid days: expected a non-empty list of days as YYYY-MM-DD, current value is ${
        JSON.stringify(days)
      }`,
    );
  }
  return days;
}

/**
 * Starts dev's control listener with the `/flush` and `/batch` routes and
 * writes its control file.
 *
 * @param deps The archiver, scheduler, stores and logger of the dev process.
 * @returns The listener; stop it before the scheduler and the archiver.
 */
export function startDevControl(deps: DevControlDeps): Promise<ControlServer> {
  const { dataDir, archiver, scheduler, archive, history, logger } = deps;

  async function flush(emit: (event: DevEvent) => void): Promise<void> {
    emit({ type: "flushed", ...await archiver.flushNow() });
  }

  return startControlServer({
    dataDir,
    stores: { archive, history },
    logger,
    routes: {
      flush: (_body, emit) => flush(emit),
      async batch(body, emit) {
        const days = _days(body);
        await flush(emit);
        const summary = await scheduler.runExclusive(
          DEV_BATCH_HOLDER,
          () =>
            runBatch({ store: archive, history, logger, progress: progressEmitter(emit) }, {
              days,
            }),
          (heldBy) => emit({ type: "waiting", heldBy }),
        );
        emit({ type: "summary", summary });
      },
    },
  });
}
