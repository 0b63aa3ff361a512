/**
 * `dlq replay`: re-validates the raw text of dead-letter records under
 * today's rules and publishes those that pass to the pins topic through the
 * edge's ingestor (stamping, micro-batching, durable publish).
 *
 * A replayed event keeps the `event_id` its raw text carries; without one it
 * gets {@linkcode replayEventId} of the record, so replaying a record again
 * publishes the same id and the stream job, which counts each `event_id`
 * once, does not count it twice. Records whose raw text was cut when they
 * were dead-lettered, and values that are not dead-letter records, are
 * skipped: they are not what was received.
 *
 * @module
 */

import type { Bus } from "../bus/bus.ts";
import type { Ingestor } from "../ingest/ingest.ts";
import { MAX_DEAD_LETTER_RAW_BYTES } from "../pin/dead_letter.ts";
import { type PinEvent, validatePinEvent } from "../pin/pin_event.ts";
import type { DlqEntry } from "./dlq_entry.ts";
import type { DlqFilter } from "./dlq_filter.ts";
import { firstProblem, listDeadLetters, scanDeadLetters } from "./dlq_list.ts";
import { replayEventId } from "./replay_id.ts";

/** What happened to one record. */
export type ReplayOutcome = "replayed" | "would replay" | "still failing" | "skipped";

/** One line of the replay report. */
export interface ReplayLine {
  /** `<partition>@<offset>` on the dead-letter topic. */
  id: string;
  outcome: ReplayOutcome;
  /** The event id published (or that would be); null when not replayed. */
  event_id: string | null;
  /** Where the event id came from, the first problem, or why the record was skipped. */
  detail: string;
}

/** The report of a replay. */
export interface ReplayReport {
  dryRun: boolean;
  /** One line per record that passed the filters (the newest `limit`), in offset order. */
  lines: ReplayLine[];
  counts: Record<ReplayOutcome, number>;
  /** Records read from the topic. */
  scanned: number;
}

/** What {@linkcode replayDeadLetters} needs. */
export interface ReplayDeps {
  bus: Bus;
  /** Publishes the events that pass, as the edge does. */
  ingestor: Ingestor;
}

/** Options of {@linkcode replayDeadLetters}. */
export interface ReplayOptions {
  dlqTopic: string;
  filter: DlqFilter;
  /** Replays the newest `limit` records that pass the filters; 0 replays all. */
  limit: number;
  /** Reports what would happen and publishes nothing. */
  dryRun: boolean;
  /** Events per publish (default 500). */
  chunk?: number;
}

type _Verdict =
  | { outcome: "skipped" | "still failing"; detail: string }
  | { outcome: "pass"; event: PinEvent; original: boolean };

function _judge(entry: DlqEntry): _Verdict {
  if (entry.malformed !== null || entry.raw === null) {
    return {
      outcome: "skipped",
      detail: firstProblem({ problems: [], malformed: entry.malformed }),
    };
  }
  if (entry.truncated) {
    return {
      outcome: "skipped",
      detail: `The raw text was cut when dead-lettered (over ${
        MAX_DEAD_LETTER_RAW_BYTES / 1024
      } KiB): it is not the event as received`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(entry.raw);
  } catch (error) {
    return { outcome: "still failing", detail: `$: Not JSON: ${(error as Error).message}` };
  }
  const result = validatePinEvent(json);
  if (!result.ok) {
    return { outcome: "still failing", detail: firstProblem({ ...result, malformed: null }) };
  }
  return { outcome: "pass", event: result.value, original: result.value.event_id !== undefined };
}

/**
 * Replays the dead-letter records that pass the filters.
 *
 * @param deps The bus and the ingestor.
 * @param options The topic, filters, limit and dry-run switch.
 * @returns One line per record and the counts.
 * @throws What the ingestor throws when the bus does not take the events
 *   (`ProduceTimeoutError`, `BusUnavailableError`); the events published
 *   before it stay published, and running the replay again is safe.
 */
export async function replayDeadLetters(
  deps: ReplayDeps,
  options: ReplayOptions,
): Promise<ReplayReport> {
  const { bus, ingestor } = deps;
  const { dlqTopic, filter, limit, dryRun, chunk = 500 } = options;
  const report: ReplayReport = {
    dryRun,
    lines: [],
    counts: { "replayed": 0, "would replay": 0, "still failing": 0, "skipped": 0 },
    scanned: 0,
  };
  // With a limit, a first pass picks the newest records; the second reads only those.
  const chosen = limit > 0
    ? new Set((await listDeadLetters(bus, dlqTopic, filter, limit)).rows.map((row) => row.id))
    : null;
  let waiting: Array<{ event: PinEvent; line: ReplayLine }> = [];

  async function publish(): Promise<void> {
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    if (!dryRun) await ingestor.accept(batch.map(({ event }) => event));
    for (const { line } of batch) report.counts[line.outcome]++;
  }

  report.scanned = await scanDeadLetters(bus, dlqTopic, filter, async (entry) => {
    if (chosen && !chosen.has(entry.id)) return;
    const verdict = _judge(entry);
    if (verdict.outcome !== "pass") {
      report.lines.push({
        id: entry.id,
        outcome: verdict.outcome,
        event_id: null,
        detail: verdict.detail,
      });
      report.counts[verdict.outcome]++;
      return;
    }
    const eventId = verdict.event.event_id ??
      await replayEventId({ topic: dlqTopic, ...entry, receivedAt: entry.received_at });
    const line: ReplayLine = {
      id: entry.id,
      outcome: dryRun ? "would replay" : "replayed",
      event_id: eventId,
      detail: verdict.original ? "its own event_id" : "event_id derived from the record's position",
    };
    report.lines.push(line);
    waiting.push({ event: { ...verdict.event, event_id: eventId }, line });
    if (waiting.length >= chunk) await publish();
  });
  await publish();
  return report;
}
