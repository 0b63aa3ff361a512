/**
 * Batch days: parsing `YYYY-MM-DD`, inclusive ranges, and the job's selection.
 *
 * @module
 */

import { UsageError } from "../runtime/cli.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * Checks a calendar day.
 *
 * @param value `YYYY-MM-DD`.
 * @param name The argument's name, for the message.
 * @returns The same day.
 * @throws {RangeError} When it is not a real calendar day.
 */
export function parseDay(value: string, name = "date"): string {
  const time = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw new RangeError(
      `Invalid --${name}: expected a day as YYYY-MM-DD, current value is '${value}'`,
    );
  }
  return value;
}

/**
 * Every day from `from` to `to`, both included.
 *
 * @param from First day.
 * @param to Last day.
 * @returns The days in order.
 * @throws {RangeError} When a day is invalid or `to` is before `from`.
 */
export function dayRange(from: string, to: string): string[] {
  const start = Date.parse(`${parseDay(from, "from")}T00:00:00Z`);
  const end = Date.parse(`${parseDay(to, "to")}T00:00:00Z`);
  if (end < start) {
    throw new RangeError(`Cannot run a backfill from ${from} to ${to}: --to is before --from`);
  }
  const days: string[] = [];
  for (let time = start; time <= end; time += DAY_MS) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

/** What `jobs/batch.ts` was asked to do. */
export type BatchSelection = { mode: "catch-up" } | { mode: "days"; days: string[] };

/** The batch's flags, each a day already checked by {@linkcode parseDay}. */
export interface BatchFlags {
  date?: string;
  from?: string;
  to?: string;
}

/**
 * Reads the job's flags: none (catch-up), `--date D`, or `--from A --to B`.
 *
 * @param flags The days given.
 * @returns The selection.
 * @throws {UsageError} When the flags contradict each other or the range is backwards.
 */
export function batchSelection({ date, from, to }: BatchFlags): BatchSelection {
  if (date !== undefined) {
    if (from !== undefined || to !== undefined) {
      throw new UsageError("Cannot combine --date with --from/--to: give one day or one range");
    }
    return { mode: "days", days: [date] };
  }
  if (from === undefined && to === undefined) return { mode: "catch-up" };
  if (from === undefined || to === undefined) {
    throw new UsageError("Cannot run a backfill without both --from and --to");
  }
  if (to < from) {
    throw new UsageError(`Cannot run a backfill from ${from} to ${to}: --to is before --from`);
  }
  return { mode: "days", days: dayRange(from, to) };
}
