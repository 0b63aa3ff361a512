/**
 * What the fuzzer's oracle reports: which part of the pipeline misbehaved,
 * and how.
 *
 * @module
 */

/** The part of the pipeline a violation points at. */
export type Component =
  | "edge"
  | "cleaning"
  | "stream"
  | "realtime"
  | "archive"
  | "batch"
  | "history"
  | "agreement"
  /** The fuzzer itself failed to run a case (an error in the harness or a store). */
  | "harness";

/** One broken promise. */
export interface Violation {
  component: Component;
  message: string;
}

/**
 * Formats violations one per line, `[component] message`.
 *
 * @param violations The violations.
 * @returns The text.
 */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `[${v.component}] ${v.message}`).join("\n");
}
