/**
 * The daily shape of pin activity: few pins at night, a rise through the
 * day and a peak in the evening. Event times drawn over a span follow it.
 *
 * @module
 */

import type { Random } from "./seeded_random.ts";

/**
 * Relative pin activity in each hour of the day (UTC), index 0 being
 * 00:00–01:00: the quietest hour (04:00) is about a seventh of the busiest
 * (20:00).
 */
export const DAILY_SHAPE: readonly number[] = [
  0.55,
  0.4,
  0.28,
  0.2,
  0.17,
  0.2,
  0.3,
  0.45,
  0.58,
  0.66,
  0.72,
  0.78,
  0.84,
  0.82,
  0.8,
  0.82,
  0.87,
  0.94,
  1,
  1.1,
  1.2,
  1.18,
  1,
  0.78,
];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const PEAK = Math.max(...DAILY_SHAPE);

/**
 * Creates a sampler of times in `[from, to)` whose hours of the day follow
 * {@linkcode DAILY_SHAPE}: a uniform draw over the span, kept with the
 * probability of its hour's weight (rejection sampling), so any span works,
 * from minutes to years, and its days are equally busy on average.
 *
 * @param random The source of randomness; the same sequence gives the same times.
 * @param span The range, `to` excluded.
 * @returns A function drawing one time.
 * @throws {RangeError} When `to` is not after `from`.
 * @example
 * ```ts
 * const draw = createTimeSampler(createRandom(1), { from: new Date("2024-01-01"), to: new Date("2025-01-01") });
 * const time = draw(); // more likely 20:00 than 04:00
 * ```
 */
export function createTimeSampler(
  random: Random,
  span: { from: Date; to: Date },
): () => Date {
  const from = span.from.getTime();
  const width = span.to.getTime() - from;
  if (!(width > 0)) {
    throw new RangeError(
      `Cannot spread event times from ${span.from.toISOString()} to ${span.to.toISOString()}: the end must be after the start`,
    );
  }
  return function draw(): Date {
    while (true) {
      const time = from + Math.floor(random.next() * width);
      const hour = Math.floor((((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
      if (random.next() * PEAK < DAILY_SHAPE[hour]!) return new Date(time);
    }
  };
}
