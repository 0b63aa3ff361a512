/**
 * The stream job's count of what the cleaning made null: a micro-batch's
 * counts are gathered in a plain object while its records are cleaned
 * (`cleanPinWithOutcomes`), then added to the counter once per
 * (field, reason), after the batch is applied.
 *
 * @module
 */

import type { Counter } from "prom-client";
import { NULL_OUTCOMES, type NulledCounts } from "../pin/clean_outcomes.ts";

/** The counter of values made null, labelled by field and reason. */
export type NulledCounter = Counter<"field" | "reason">;

/**
 * Starts every (field, reason) the cleaning can produce at 0, so that each
 * series exists, and rates answer, before the first such value arrives.
 *
 * @param counter The counter.
 * @returns The same counter.
 */
export function startNulledAtZero(counter: NulledCounter): NulledCounter {
  for (const { field, reason } of NULL_OUTCOMES) counter.inc({ field, reason }, 0);
  return counter;
}

/**
 * Adds one batch's counts to the counter: one increment per (field, reason) counted.
 *
 * @param counter The counter.
 * @param nulled The batch's counts.
 */
export function addNulled(counter: NulledCounter, nulled: NulledCounts): void {
  for (const [field, reasons] of Object.entries(nulled)) {
    for (const [reason, count] of Object.entries(reasons)) counter.inc({ field, reason }, count);
  }
}
