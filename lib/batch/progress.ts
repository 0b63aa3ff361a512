/**
 * The batch's progress display: a redrawn bar on a TTY (days, objects,
 * rows/s, ETA), plain periodic lines otherwise, and a summary table.
 *
 * @module
 */

import { NULL_REASONS, type NulledCounts } from "../pin/clean_outcomes.ts";
import { formatTable } from "../runtime/table.ts";
import type { DayResult } from "./day_processor.ts";

/** Receives the runner's progress. */
export interface BatchProgress {
  start(days: number, objects: number, bytes: number): void;
  dayStarted(day: string): void;
  objectCopied(): void;
  dayFinished(result: DayResult | { day: string; error: string }): void;
  finish(): void;
}

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Where text goes. */
  write?: (text: string) => void;
  /** Redraw a bar in place (a TTY) or print lines. */
  tty?: boolean;
  /** Milliseconds between plain lines. */
  intervalMs?: number;
  now?: () => number;
}

const encoder = new TextEncoder();

function _duration(ms: number): string {
  if (!Number.isFinite(ms)) return "--:--";
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * Creates the progress display.
 *
 * @param options Sink, TTY mode, interval, clock.
 * @returns The display.
 */
export function createProgress(options: ProgressOptions = {}): BatchProgress {
  const {
    write = (text: string) => Deno.stderr.writeSync(encoder.encode(text)),
    tty = Deno.stderr.isTerminal(),
    intervalMs = 10_000,
    now = () => performance.now(),
  } = options;
  let days = 0, objects = 0, bytes = 0, doneDays = 0, doneObjects = 0, rows = 0, doneBytes = 0;
  let started = 0, lastLine = 0, current = "";
  let timer: ReturnType<typeof setInterval> | undefined;

  function status(): string {
    const elapsed = now() - started;
    const rate = elapsed > 0 ? rows / (elapsed / 1000) : 0;
    const fraction = bytes > 0 ? doneBytes / bytes : days > 0 ? doneDays / days : 1;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : Infinity;
    return `days ${doneDays}/${days}  objects ${doneObjects}/${objects}  rows ${rows}  ` +
      `${Math.round(rate)} rows/s  ETA ${_duration(eta)}${current ? `  (${current})` : ""}`;
  }

  function draw(): void {
    if (tty) {
      const fraction = bytes > 0 ? doneBytes / bytes : days > 0 ? doneDays / days : 1;
      const width = 24;
      const filled = Math.round(Math.min(1, fraction) * width);
      write(`\r\x1b[2K[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${status()}`);
    } else if (now() - lastLine >= intervalMs) {
      lastLine = now();
      write(`batch: ${status()}\n`);
    }
  }

  return {
    start(dayCount, objectCount, byteCount) {
      days = dayCount;
      objects = objectCount;
      bytes = byteCount;
      started = now();
      lastLine = started;
      if (tty) timer = setInterval(draw, 250);
      write(`batch: ${days} day(s), ${objects} object(s) to process\n`);
    },
    dayStarted(day) {
      current = day;
      draw();
    },
    objectCopied() {
      doneObjects++;
    },
    dayFinished(result) {
      doneDays++;
      if ("rowsIn" in result) {
        rows += result.rowsIn;
        doneBytes += result.inputs.reduce((sum, input) => sum + input.size, 0);
      }
      if (!tty) {
        write(
          "error" in result
            ? `batch: ${result.day} failed: ${result.error}\n`
            : `batch: ${result.day} done: ${result.rowsIn} in, ${result.rowsOut} out\n`,
        );
      }
      draw();
    },
    finish() {
      if (timer !== undefined) clearInterval(timer);
      if (tty) write("\r\x1b[2K");
      current = "";
      write(`batch: ${status()}\n`);
    },
  };
}

// What the cleaning made null, summed over the fields: "sentinel 1204, unparseable 2".
function _nulledByReason(nulled: NulledCounts): string {
  const parts = NULL_REASONS.map((reason) => {
    const n = Object.values(nulled).reduce((sum, reasons) => sum + (reasons[reason] ?? 0), 0);
    return n > 0 ? `${reason} ${n}` : "";
  }).filter((part) => part !== "");
  return parts.length > 0 ? parts.join(", ") : "-";
}

/**
 * The summary table of a run: one line per day, ending with what the
 * cleaning made null, by reason.
 *
 * @param results Each day's result or failure.
 * @returns The table.
 */
export function summaryTable(
  results: Array<DayResult | { day: string; error: string }>,
): string {
  return formatTable(
    [
      "day",
      "status",
      "objects",
      "rows in",
      "valid",
      "invalid",
      "duplicates",
      "rows out",
      "seconds",
      "nulled",
    ],
    results.map((result) =>
      "error" in result ? [result.day, "FAILED", "-", "-", "-", "-", "-", "-", "-", "-"] : [
        result.day,
        "ok",
        result.inputs.length,
        result.rowsIn,
        result.valid,
        result.badJson + result.invalid,
        result.duplicates,
        result.rowsOut,
        Number((Object.values(result.timings).reduce((a, b) => a + b, 0) / 1000).toFixed(2)),
        _nulledByReason(result.nulled),
      ]
    ),
  );
}
