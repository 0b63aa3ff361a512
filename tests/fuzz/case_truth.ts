/**
 * The ground truth of a case, from what was sent and what the edge answered:
 * which events were accepted (a 2xx, less the items the answer lists as
 * rejected), and what each view must then hold. Cleaning uses the shared
 * rules (lib/pin/clean_pin.ts); counting is independent of the views' code
 * (tests/fixtures/realtime_truth.ts).
 *
 * @module
 */

import { type CleanPin, cleanPin } from "../../lib/pin/clean_pin.ts";
import type { ReceivedPin } from "../../lib/pin/pin_event.ts";
import { categoriesByDay, utcDay } from "../fixtures/realtime_truth.ts";
import type { SentCase, SentItem, SentRequest } from "./materialize_case.ts";
import { isObjectItem } from "./materialize_case.ts";
import type { Violation } from "./violation.ts";

/** The edge's answer to one request; `error` when `app.request` itself threw. */
export interface Answer {
  status: number;
  body: unknown;
  error?: string;
}

/** An event the edge accepted. */
export interface AcceptedEvent {
  value: Record<string, unknown>;
  /** Its event_id: the client's, or the one `/pin/` answered with; null when the edge did not say. */
  eventId: string | null;
  receivedAt: string;
  /** Where it was sent, e.g. `step 2, request 1 (/pins ndjson 4 items), item 3`. */
  where: string;
}

/** Image, video and unknown pins. */
export interface MediaCounts {
  image: number;
  video: number;
  unknown: number;
}

/** What the views must hold after a case. */
export interface CaseTruth {
  accepted: AcceptedEvent[];
  /** Cleaned accepted events in arrival order (ids the edge did not say are placeholders). */
  pins: CleanPin[];
  /** Distinct event_ids known to be accepted. */
  knownIds: Set<string>;
  /** Accepted events whose id the edge assigned without saying it (each distinct). */
  anonymous: number;
  /** Client event_ids only ever sent in rejected items. */
  rejectedIds: Set<string>;
  /** Dead letters the edge must write: one per item rejected as an event. */
  edgeDeadLetters: number;
  /** Real-time view: events per event-time day and category ("unknown" for blank). */
  realtimeDays: Map<string, Map<string, number>>;
  /** Batch view: pins per event-time day and category (blank categories left out). */
  batchDays: Map<string, Map<string, number>>;
  batchYears: Map<number, Map<string, number>>;
  media: Map<number, MediaCounts>;
  /** What the edge's answers already show to be wrong. */
  violations: Violation[];
}

const ANONYMOUS = "(edge-assigned #";

/** Whether a JSON content type is one the edge must read as JSON (`application/json`, `*+json`). */
function _jsonType(contentType: string | null): boolean {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json");
}

function _acceptedItems(
  request: SentRequest,
  answer: Answer,
  violations: Violation[],
  where: string,
): Set<SentItem> {
  const accepted = new Set<SentItem>();
  if (answer.error !== undefined || answer.status < 200 || answer.status >= 300) return accepted;
  if (request.path === "/pin/") {
    accepted.add(request.items[0]!);
    return accepted;
  }
  const body = answer.body as { accepted?: unknown; rejected?: Array<{ index?: unknown }> };
  const rejected = new Set((body.rejected ?? []).map((one) => one.index));
  for (const item of request.items) {
    if (item.serverIndex !== null && !rejected.has(item.serverIndex)) accepted.add(item);
  }
  if (body.accepted !== accepted.size) {
    violations.push({
      component: "edge",
      message: `${where}: answered accepted=${body.accepted} but listed ${rejected.size} of ` +
        `${request.items.filter((item) => item.serverIndex !== null).length} items as rejected`,
    });
  }
  return accepted;
}

function _checkVerdicts(
  request: SentRequest,
  answer: Answer,
  accepted: Set<SentItem>,
  violations: Violation[],
  where: string,
): void {
  const judged = request.path === "/pin/"
    ? _jsonType(request.contentType) && answer.status !== 415
    : answer.status === 200;
  if (!judged) return;
  request.items.forEach((item, i) => {
    if (item.serverIndex === null) return;
    const at = `${where}, item ${i}`;
    if (item.verdict === "invalid" && accepted.has(item)) {
      violations.push({
        component: "edge",
        message: `${at}: accepted an invalid item ${_short(item.text)}`,
      });
    }
    if (item.verdict === "valid" && !accepted.has(item)) {
      violations.push({
        component: "edge",
        message: `${at}: rejected a valid event (${answer.status} ${
          _short(JSON.stringify(answer.body))
        })`,
      });
    }
  });
}

function _short(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * Computes the truth of a case from its requests and the edge's answers.
 *
 * @param sent The requests, per step.
 * @param answers The answers, per step and request.
 * @returns The truth, with the violations the answers show.
 */
export function caseTruth(sent: SentCase, answers: Answer[][]): CaseTruth {
  const violations: Violation[] = [];
  const accepted: AcceptedEvent[] = [];
  const sentIds = new Set<string>();
  let edgeDeadLetters = 0;
  sent.steps.forEach((step, s) => {
    step.requests.forEach((request, r) => {
      const answer = answers[s]![r]!;
      const where = `step ${s}, request ${r} (${request.label})`;
      if (answer.error !== undefined || answer.status >= 500) {
        violations.push({
          component: "edge",
          message: `${where}: ${answer.error ?? `answered ${answer.status}`} ${
            _short(JSON.stringify(answer.body) ?? "")
          }`,
        });
      }
      const items = _acceptedItems(request, answer, violations, where);
      _checkVerdicts(request, answer, items, violations, where);
      if (request.path === "/pin/" && answer.status === 422) edgeDeadLetters++;
      if (request.path === "/pins" && answer.status === 200) {
        edgeDeadLetters += ((answer.body as { rejected?: unknown[] }).rejected ?? []).length;
      }
      request.items.forEach((item, i) => {
        const id = isObjectItem(item) && typeof item.value.event_id === "string"
          ? item.value.event_id
          : null;
        if (id !== null) sentIds.add(id);
        if (!items.has(item) || !isObjectItem(item)) return;
        const told = request.path === "/pin/"
          ? (answer.body as { event_id?: unknown }).event_id
          : null;
        accepted.push({
          value: item.value,
          eventId: id ?? (typeof told === "string" ? told : null),
          receivedAt: new Date(step.at).toISOString(),
          where: `${where}, item ${i}`,
        });
      });
    });
  });
  return {
    ..._views(accepted, violations),
    accepted,
    edgeDeadLetters,
    violations,
    rejectedIds: _rejected(sentIds, accepted),
  };
}

function _rejected(sentIds: Set<string>, accepted: AcceptedEvent[]): Set<string> {
  const ids = new Set(sentIds);
  for (const event of accepted) if (event.eventId !== null) ids.delete(event.eventId);
  return ids;
}

function _views(accepted: AcceptedEvent[], violations: Violation[]) {
  const pins: CleanPin[] = [];
  const knownIds = new Set<string>();
  let anonymous = 0;
  for (const event of accepted) {
    const eventId = event.eventId ?? `${ANONYMOUS}${anonymous++})`;
    if (event.eventId !== null) knownIds.add(event.eventId);
    try {
      pins.push(
        cleanPin(
          { ...event.value, event_id: eventId, received_at: event.receivedAt } as ReceivedPin,
        ),
      );
    } catch (error) {
      violations.push({
        component: "cleaning",
        message: `${event.where}: cleanPin throws on an accepted event: ${
          (error as Error).message
        }`,
      });
    }
  }
  const realtimeDays = categoriesByDay(pins);
  const batchDays = new Map<string, Map<string, number>>();
  const batchYears = new Map<number, Map<string, number>>();
  const media = new Map<number, MediaCounts>();
  const seen = new Set<string>();
  for (const pin of pins) {
    if (seen.has(pin.event_id)) continue;
    seen.add(pin.event_id);
    const year = new Date(pin.event_time).getUTCFullYear();
    const counts = media.get(year) ?? { image: 0, video: 0, unknown: 0 };
    counts[pin.media_type]++;
    media.set(year, counts);
    if (pin.category === null) continue;
    _add(batchDays, utcDay(pin.event_time), pin.category);
    _add(batchYears, year, pin.category);
  }
  return { pins, knownIds, anonymous, realtimeDays, batchDays, batchYears, media };
}

function _add<K>(map: Map<K, Map<string, number>>, key: K, category: string): void {
  const counts = map.get(key) ?? new Map<string, number>();
  counts.set(category, (counts.get(category) ?? 0) + 1);
  map.set(key, counts);
}
