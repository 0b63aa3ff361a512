/**
 * The emulator's `--from DAY --to DAY`: whole UTC days, both included.
 *
 * @module
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function _day(flag: string, text: string): number {
  const time = DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== text) {
    throw new RangeError(`Invalid --${flag}: expected a day as YYYY-MM-DD, got '${text}'`);
  }
  return time;
}

/**
 * Turns `--from` and `--to` into the span of event times they cover: from
 * the start of the first day to the end of the last (UTC).
 *
 * @param from The first day, `YYYY-MM-DD`, or undefined.
 * @param to The last day, `YYYY-MM-DD`, or undefined.
 * @returns The span, `to` excluded; undefined when neither flag is given.
 * @throws {RangeError} Naming the flag: a day that does not exist, one flag
 * without the other, or `--to` before `--from`.
 * @example
 * ```ts
 * daySpan("2024-01-01", "2024-12-31");
 * // { from: 2024-01-01T00:00:00.000Z, to: 2025-01-01T00:00:00.000Z }
 * ```
 */
export function daySpan(
  from: string | undefined,
  to: string | undefined,
): { from: Date; to: Date } | undefined {
  if (from === undefined && to === undefined) return undefined;
  if (from === undefined) throw new RangeError("Invalid --from: required with --to");
  if (to === undefined) throw new RangeError("Invalid --to: required with --from");
  const start = _day("from", from);
  const end = _day("to", to);
  if (end < start) {
    throw new RangeError(`Invalid --to: ${to} is before --from ${from}`);
  }
  return { from: new Date(start), to: new Date(end + DAY_MS) };
}
