/**
 * The fuzzer's oracle: after a case, no request got a 5xx; the stream and the
 * archiver reached the topic's end (no stalled partition); every accepted
 * event is counted exactly once in the real-time view and once in the batch
 * view (by event_id), rejected ones in neither; both views hold the truth per
 * category per day, and so agree.
 *
 * @module
 */

import type { CaseRun } from "./case_runner.ts";
import type { CountsOrError } from "./view_reader.ts";
import type { Component, Violation } from "./violation.ts";

const MAX_LISTED = 5;

function _list(items: Iterable<string>): string {
  const all = [...items];
  const shown = all.slice(0, MAX_LISTED).map((item) => JSON.stringify(item)).join(", ");
  return all.length > MAX_LISTED ? `${shown} and ${all.length - MAX_LISTED} more` : shown;
}

function _diff(expected: Map<string, number>, actual: Map<string, number>): string | null {
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const parts: string[] = [];
  for (const key of [...keys].sort()) {
    const want = expected.get(key) ?? 0;
    const got = actual.get(key) ?? 0;
    if (want !== got) parts.push(`${JSON.stringify(key)}: expected ${want}, got ${got}`);
  }
  return parts.length > 0 ? parts.slice(0, MAX_LISTED).join("; ") : null;
}

function _counts(value: CountsOrError | undefined): Map<string, number> | { error: string } {
  return value ?? new Map();
}

function _checkIds(
  component: Component,
  what: string,
  run: CaseRun,
  counted: Map<string, number>,
  violations: Violation[],
): void {
  const { truth } = run;
  const missing = [...truth.knownIds].filter((id) => !counted.has(id));
  if (missing.length > 0) {
    violations.push({
      component,
      message: `${missing.length} accepted event_ids missing from ${what}: ${_list(missing)}`,
    });
  }
  const twice = [...counted].filter(([, n]) => n > 1).map(([id]) => id);
  if (twice.length > 0) {
    violations.push({
      component,
      message: `${twice.length} event_ids counted more than once in ${what}: ${_list(twice)}`,
    });
  }
  const rejected = [...truth.rejectedIds].filter((id) => counted.has(id));
  if (rejected.length > 0) {
    violations.push({
      component,
      message: `${rejected.length} rejected event_ids counted in ${what}: ${_list(rejected)}`,
    });
  }
  const expected = truth.knownIds.size + truth.anonymous;
  if (counted.size !== expected) {
    violations.push({
      component,
      message: `${what} holds ${counted.size} distinct event_ids, expected ${expected} ` +
        `(${truth.knownIds.size} known + ${truth.anonymous} assigned by the edge)`,
    });
  }
}

function _checkDays(
  component: Component,
  what: string,
  expected: Map<string | number, Map<string, number>>,
  actual: Map<string | number, Map<string, number> | { error: string }>,
  violations: Violation[],
): void {
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const got = _counts(actual.get(key));
    if ("error" in got) {
      violations.push({ component, message: `${what} ${key}: the reader threw: ${got.error}` });
      continue;
    }
    const diff = _diff(expected.get(key) ?? new Map(), got);
    if (diff) violations.push({ component, message: `${what} ${key}: ${diff}` });
  }
}

function _pipelineChecks(run: CaseRun, violations: Violation[]): void {
  const { truth, produced } = run;
  const accepted = truth.accepted.length;
  if (produced.pins !== accepted) {
    violations.push({
      component: "edge",
      message: `${produced.pins} records on the topic for ${accepted} accepted events`,
    });
  }
  if (produced.edgeDeadLetters !== truth.edgeDeadLetters) {
    violations.push({
      component: "edge",
      message:
        `${produced.edgeDeadLetters} dead letters for ${truth.edgeDeadLetters} rejected items`,
    });
  }
  for (const log of run.logs.filter((line) => line.component === "edge")) {
    violations.push({
      component: "edge",
      message: `logged ${log.level} "${log.msg}": ${log.error ?? ""}`,
    });
  }
  if (!run.stream.caughtUp) {
    const why = run.logs.find((line) => line.component === "stream" && line.level !== "info");
    violations.push({
      component: "stream",
      message:
        `stalled: stored offsets reach ${run.stream.reached} of ${run.stream.end} records after ` +
        `${run.stream.waitedMs} ms${why ? ` ("${why.msg}": ${why.error})` : ""}`,
    });
  }
  if (produced.streamDeadLetters.length > 0) {
    const first = JSON.parse(produced.streamDeadLetters[0]!) as {
      reason?: string;
      problems?: unknown;
    };
    violations.push({
      component: "stream",
      message:
        `dead-lettered ${produced.streamDeadLetters.length} accepted records, e.g. ${first.reason}: ` +
        JSON.stringify(first.problems),
    });
  }
  if (!run.archive.caughtUp) {
    violations.push({
      component: "archive",
      message:
        `holds ${run.archive.reached} of ${run.archive.end} records after ${run.archive.waitedMs} ms`,
    });
  }
  if ("error" in run.batch) {
    violations.push({ component: "batch", message: `threw: ${run.batch.error}` });
  } else {
    for (const result of run.batch.results) {
      if ("error" in result) {
        violations.push({
          component: "batch",
          message: `day ${result.day} failed: ${result.error}`,
        });
      }
    }
  }
}

/**
 * Checks a case run against the oracle.
 *
 * @param run What the case observed.
 * @returns The violations; empty when every promise held.
 */
export function checkCase(run: CaseRun): Violation[] {
  const violations: Violation[] = [...run.truth.violations];
  _pipelineChecks(run, violations);
  const { truth, realtime, history } = run;

  _checkIds(
    "realtime",
    "the real-time view",
    run,
    new Map([...realtime.seenIds].map((id) => [id, 1])),
    violations,
  );
  const expectedEvents = truth.knownIds.size + truth.anonymous;
  if (realtime.totalEvents !== expectedEvents) {
    violations.push({
      component: "realtime",
      message:
        `per-minute totals sum to ${realtime.totalEvents} events, expected ${expectedEvents}`,
    });
  }
  _checkDays("realtime", "real-time day", truth.realtimeDays, realtime.days, violations);
  _checkDays(
    "realtime",
    "real-time reader, day",
    truth.realtimeDays,
    realtime.readerDays,
    violations,
  );

  _checkIds(
    "batch",
    "the curated batch output",
    run,
    new Map([...history.curatedIds].map(([id, days]) => [id, days.length])),
    violations,
  );
  _checkDays("history", "history day", truth.batchDays, history.days, violations);
  _checkDays("history", "history year", truth.batchYears, history.yearCategories, violations);
  if ("error" in history.years) {
    violations.push({
      component: "history",
      message: `yearsAvailable threw: ${history.years.error}`,
    });
  } else {
    const expected = [...truth.batchYears.keys()].sort((a, b) => a - b);
    if (JSON.stringify(history.years) !== JSON.stringify(expected)) {
      violations.push({
        component: "history",
        message: `years available ${JSON.stringify(history.years)}, expected ${
          JSON.stringify(expected)
        }`,
      });
    }
  }
  for (const [year, media] of history.media) {
    const want = truth.media.get(year) ?? { image: 0, video: 0, unknown: 0 };
    if (JSON.stringify(media) !== JSON.stringify(want)) {
      violations.push({
        component: "history",
        message: `media of ${year}: ${JSON.stringify(media)}, expected ${JSON.stringify(want)}`,
      });
    }
  }
  _checkAgreement(run, violations);
  return violations;
}

// The views against each other (blank categories are "unknown" in the real-time view only).
function _checkAgreement(run: CaseRun, violations: Violation[]): void {
  const days = new Set([...run.realtime.days.keys(), ...run.history.days.keys()]);
  for (const day of [...days].sort()) {
    const stream = run.realtime.days.get(day) ?? new Map<string, number>();
    const batch = _counts(run.history.days.get(day));
    if ("error" in batch) continue;
    const blank = (run.truth.realtimeDays.get(day)?.get("unknown") ?? 0) -
      (run.truth.batchDays.get(day)?.get("unknown") ?? 0);
    const adjusted = new Map(batch);
    if (blank > 0) adjusted.set("unknown", (adjusted.get("unknown") ?? 0) + blank);
    const diff = _diff(stream, adjusted);
    if (diff) {
      violations.push({
        component: "agreement",
        message: `the views disagree on ${day} (real-time as expected, batch as got): ${diff}`,
      });
    }
  }
}
