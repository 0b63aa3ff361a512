/**
 * How `deno task dlq` prints: tables and a record view for people, JSON for
 * scripts. Dead-letter records hold whatever was sent, so every text printed
 * for people has its control characters (terminal escapes, bidirectional
 * overrides) shown as `\u{…}` escapes, and table cells are cut to a width.
 *
 * @module
 */

import { formatTable } from "../runtime/table.ts";
import type { DlqEntry } from "./dlq_entry.ts";
import type { DlqListing, DlqRow } from "./dlq_list.ts";
import type { ReplayReport } from "./dlq_replay.ts";

/** Widest cell of a table, in characters. */
const CELL_WIDTH = 72;

// C0 and C1 controls, DEL, and the bidirectional controls that reorder what a terminal shows.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// The same, except newline and tab: the layout of a multi-line text.
const UNSAFE_IN_TEXT =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function _escape(char: string): string {
  return `\\u{${char.charCodeAt(0).toString(16)}}`;
}

/**
 * A text that is safe to print on a terminal, newlines and tabs kept.
 *
 * @param text Any text.
 * @returns The text, control characters escaped.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, _escape);
}

function _cell(text: string | null): string {
  if (text === null) return "-";
  const safe = text.replace(UNSAFE, _escape);
  return safe.length > CELL_WIDTH ? `${safe.slice(0, CELL_WIDTH - 1)}…` : safe;
}

/**
 * A size for people.
 *
 * @param bytes A count of bytes.
 * @param cut Whether the text was cut (the original was larger).
 * @returns E.g. `812 B`, `3.4 KiB`, `> 256 KiB`.
 */
export function formatSize(bytes: number, cut = false): string {
  const text = bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return cut ? `${text}, cut` : text;
}

/**
 * A listing as a table.
 *
 * @param listing What `listDeadLetters` found.
 * @returns The table, one row per record.
 */
export function formatListTable(listing: DlqListing): string {
  return formatTable(
    ["ID", "RECEIVED_AT", "SOURCE", "REASON", "FIRST PROBLEM", "SIZE"],
    listing.rows.map((row) => [
      row.id,
      _cell(row.received_at),
      _cell(row.source),
      _cell(row.reason ?? "(not a dead-letter record)"),
      _cell(row.problem),
      formatSize(row.size, row.truncated),
    ]),
  );
}

/**
 * A listing row for JSON output.
 *
 * @param row A row.
 * @returns Its fields in snake case.
 */
export function listRowJson(row: DlqRow): Record<string, unknown> {
  return {
    id: row.id,
    partition: row.partition,
    offset: row.offset,
    received_at: row.received_at,
    source: row.source,
    reason: row.reason,
    first_problem: row.problem,
    problem_count: row.problemCount,
    size: row.size,
    truncated: row.truncated,
    malformed: row.malformed,
  };
}

function _pretty(raw: string): { text: string; json: boolean } {
  try {
    return { text: JSON.stringify(JSON.parse(raw), null, 2), json: true };
  } catch {
    // Not JSON, or nested past what the printer's stack holds: the text as received.
    return { text: raw, json: false };
  }
}

/**
 * One record for people: its fields, every problem, and the raw text
 * (pretty-printed when it is JSON).
 *
 * @param entry The record.
 * @returns The lines, without a trailing newline.
 */
export function formatShow(entry: DlqEntry): string {
  const field = (name: string, value: string) => `${name.padEnd(12)} ${value}`;
  const lines = [
    field("id", entry.id),
    field("received_at", safeText(entry.received_at)),
    field("source", entry.source === null ? "-" : safeText(entry.source)),
    field("reason", entry.reason === null ? "-" : safeText(entry.reason)),
  ];
  if (entry.index !== null) lines.push(field("index", String(entry.index)));
  lines.push(field("size", formatSize(entry.size, entry.truncated)));
  if (entry.truncated) {
    lines.push(field("truncated", "yes: only the start of what was received is kept"));
  }
  if (entry.malformed !== null) {
    lines.push(field("malformed", `Not a dead-letter record: ${safeText(entry.malformed)}`));
  }
  lines.push(`problems (${entry.problems.length})`);
  for (const problem of entry.problems) {
    lines.push(`  - ${safeText(problem.path)}: ${safeText(problem.message)}`);
  }
  if (entry.raw === null) {
    lines.push("value (as on the topic):", safeText(entry.value));
  } else {
    const pretty = _pretty(entry.raw);
    lines.push(
      pretty.json ? "raw (JSON, pretty-printed):" : "raw (as received):",
      safeText(pretty.text),
    );
  }
  return lines.join("\n");
}

/**
 * One record for JSON output.
 *
 * @param entry The record.
 * @returns Its fields.
 */
export function showJson(entry: DlqEntry): Record<string, unknown> {
  return {
    id: entry.id,
    partition: entry.partition,
    offset: entry.offset,
    received_at: entry.received_at,
    source: entry.source,
    reason: entry.reason,
    problems: entry.problems,
    raw: entry.raw,
    index: entry.index,
    truncated: entry.truncated,
    size: entry.size,
    malformed: entry.malformed,
    value: entry.malformed === null ? undefined : entry.value,
  };
}

/**
 * A replay report as a table.
 *
 * @param report What `replayDeadLetters` did.
 * @returns The table, one row per record.
 */
export function formatReplayTable(report: ReplayReport): string {
  return formatTable(
    ["ID", "OUTCOME", "EVENT_ID", "DETAIL"],
    report.lines.map((line) => [line.id, line.outcome, line.event_id ?? "-", _cell(line.detail)]),
  );
}

/**
 * The counts of a replay, as one line.
 *
 * @param report What `replayDeadLetters` did.
 * @returns E.g. `replayed 3, still failing 1, skipped 0 (of 12 records read)`.
 */
export function replaySummary(report: ReplayReport): string {
  const { counts } = report;
  const done = report.dryRun
    ? `would replay ${counts["would replay"]}`
    : `replayed ${counts.replayed}`;
  return `${done}, still failing ${
    counts["still failing"]
  }, skipped ${counts.skipped} (of ${report.scanned} records read)${
    report.dryRun ? "; dry run: nothing was published" : ""
  }`;
}
