/**
 * The grains of the real-time aggregates (minute rows, hourly and daily
 * roll-ups), how long each is kept, and which one a read uses: the finest
 * whose rows still cover the window and whose row count stays small.
 *
 * @module
 */

/** A grain of the aggregate tables. */
export type Grain = "minute" | "hour" | "day";

/** One grain: its tables' suffix and time column, its length, the longest window it serves. */
export interface GrainSpec {
  name: Grain;
  /** Length of one bucket, in milliseconds. */
  ms: number;
  /**
   * Longest window read at this grain when a coarser one is kept: a read sums one row per
   * poster and bucket, so the bucket count, not the window, sets its cost.
   */
  maxWindowMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The grains, finest first. */
export const GRAINS: readonly GrainSpec[] = [
  { name: "minute", ms: MINUTE, maxWindowMs: 6 * HOUR },
  { name: "hour", ms: HOUR, maxWindowMs: 2 * DAY },
  { name: "day", ms: DAY, maxWindowMs: Infinity },
];

/** How long the rows of each grain are kept. */
export interface AggregateRetention {
  minuteHours: number;
  hourDays: number;
  dayDays: number;
}

/** The defaults: minutes for 48 hours, hours for 35 days, days for 400 days. */
export const DEFAULT_AGGREGATE_RETENTION: AggregateRetention = {
  minuteHours: 48,
  hourDays: 35,
  dayDays: 400,
};

/**
 * How long the rows of a grain are kept, in milliseconds.
 *
 * @param grain The grain.
 * @param retention The retention settings.
 */
export function keptMs(grain: Grain, retention: AggregateRetention): number {
  if (grain === "minute") return retention.minuteHours * HOUR;
  return grain === "hour" ? retention.hourDays * DAY : retention.dayDays * DAY;
}

/**
 * The spec of a grain.
 *
 * @param grain The grain.
 */
export function grainSpec(grain: Grain): GrainSpec {
  return GRAINS.find((spec) => spec.name === grain)!;
}

/**
 * The grain a window is read at: the finest that keeps rows back to the
 * window's start (counted from its end) and serves windows that long; the
 * coarsest otherwise.
 *
 * @param since The window's start.
 * @param until The window's end (the read's "now").
 * @param retention How long each grain is kept.
 * @returns The grain.
 * @example
 * ```ts
 * const now = Date.parse("2026-12-01T12:00:00Z");
 * chooseGrain(new Date(now - 3_600_000), new Date(now), DEFAULT_AGGREGATE_RETENTION); // "minute"
 * ```
 */
export function chooseGrain(since: Date, until: Date, retention: AggregateRetention): Grain {
  const length = until.getTime() - since.getTime();
  for (const spec of GRAINS) {
    const coversStart = floorTo(since.getTime(), spec.ms) >= until.getTime() -
        keptMs(spec.name, retention);
    if (coversStart && length <= spec.maxWindowMs) return spec.name;
  }
  return GRAINS[GRAINS.length - 1]!.name;
}

/**
 * The grain a series in steps of `stepMinutes` is read at: the coarsest
 * whose bucket divides the step, to which the window's start is aligned and
 * which still keeps that start; else the finest kept one.
 *
 * @param since The window's start.
 * @param until The window's end.
 * @param stepMinutes The series' step.
 * @param retention How long each grain is kept.
 * @returns The grain.
 */
export function seriesGrain(
  since: Date,
  until: Date,
  stepMinutes: number,
  retention: AggregateRetention,
): Grain {
  const kept = GRAINS.filter((spec) =>
    floorTo(since.getTime(), spec.ms) >= until.getTime() - keptMs(spec.name, retention)
  );
  const dividing = kept.filter((spec) =>
    (stepMinutes * MINUTE) % spec.ms === 0 && since.getTime() % spec.ms === 0
  );
  return (dividing.at(-1) ?? kept[0] ?? GRAINS[GRAINS.length - 1]!).name;
}

/**
 * Rounds an instant down to a multiple of `ms` since the Unix epoch (UTC).
 *
 * @param epochMs The instant.
 * @param ms The bucket length.
 */
export function floorTo(epochMs: number, ms: number): number {
  return Math.floor(epochMs / ms) * ms;
}
