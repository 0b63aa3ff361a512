/**
 * The batch's progress as plain events, so a run in one process (`deno task
 * dev`) is displayed in another (`deno task batch`) by the same
 * {@linkcode BatchProgress}: {@linkcode progressEmitter} turns the runner's
 * calls into events, {@linkcode replayProgress} turns them back into calls.
 *
 * @module
 */

import type { DayFailure } from "./batch_runner.ts";
import type { DayResult } from "./day_processor.ts";
import type { BatchProgress } from "./progress.ts";

/** One call of {@linkcode BatchProgress}, as JSON. */
export type ProgressEvent =
  | { type: "start"; days: number; objects: number; bytes: number }
  | { type: "dayStarted"; day: string }
  | { type: "objectCopied" }
  | { type: "dayFinished"; result: DayResult | DayFailure }
  | { type: "finish" };

const _TYPES = new Set(["start", "dayStarted", "objectCopied", "dayFinished", "finish"]);

/**
 * A progress display that emits each call as an event.
 *
 * @param emit Receives the events, in order.
 * @returns The display to pass to `runBatch`.
 */
export function progressEmitter(emit: (event: ProgressEvent) => void): BatchProgress {
  return {
    start: (days, objects, bytes) => emit({ type: "start", days, objects, bytes }),
    dayStarted: (day) => emit({ type: "dayStarted", day }),
    objectCopied: () => emit({ type: "objectCopied" }),
    dayFinished: (result) => emit({ type: "dayFinished", result }),
    finish: () => emit({ type: "finish" }),
  };
}

/**
 * Whether a decoded event is a progress event.
 *
 * @param event An event read from the stream.
 * @returns True for the types {@linkcode progressEmitter} emits.
 */
export function isProgressEvent(event: { type?: unknown }): event is ProgressEvent {
  return typeof event.type === "string" && _TYPES.has(event.type);
}

/**
 * Makes the call an event stands for.
 *
 * @param event The event.
 * @param progress The display to drive.
 */
export function replayProgress(event: ProgressEvent, progress: BatchProgress): void {
  switch (event.type) {
    case "start":
      return progress.start(event.days, event.objects, event.bytes);
    case "dayStarted":
      return progress.dayStarted(event.day);
    case "objectCopied":
      return progress.objectCopied();
    case "dayFinished":
      return progress.dayFinished(event.result);
    case "finish":
      return progress.finish();
  }
}
