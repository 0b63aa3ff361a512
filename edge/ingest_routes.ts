/**
 * The ingest routes, `POST /pin/` (also `/pin`) and `POST /pins`, behind one
 * policy: the API key, the per-key rate limit, the cap on body bytes in
 * flight, and the body limit with decompression. The handlers then parse,
 * validate, publish and dead-letter.
 *
 * @module
 */

import { type Context, Hono } from "hono";
import type { Ingestor } from "../lib/ingest/ingest.ts";
import { type Problem, validatePinEvent } from "../lib/pin/pin_event.ts";
import type { IngestConfig } from "../lib/runtime/config.ts";
import type { Logger } from "../lib/runtime/logger.ts";
import type { EdgeMetrics } from "./http/edge_metrics.ts";
import { HttpError, MAX_PROBLEMS } from "./http/http_error.ts";
import { ingestPolicy, type IngestPolicyEnv } from "./http/ingest_policy.ts";
import {
  decodeUtf8,
  parsePin,
  type Rejected,
  splitBatch,
  validateBatch,
} from "./http/parse_pins.ts";

/** The paths the ingest policy guards. */
const INGEST_PATHS = ["/pin/", "/pin", "/pins"];

/** The `Content-Type` of an answer already serialised. */
const JSON_TYPE = { "Content-Type": "application/json" };

/** What the ingest routes are built from. */
export interface IngestDeps {
  ingestor: Ingestor;
  metrics: EdgeMetrics;
  limits: IngestConfig;
  logger: Logger;
  /** Told how many events each request had accepted, for the dashboard's rate. */
  onAccepted?(events: number): void;
  now?: () => number;
}

type IngestEnv = IngestPolicyEnv;

/** The `rejected` list of a `/pins` answer, its problems cut at {@linkcode MAX_PROBLEMS}. */
interface _RejectedList {
  rejected: Array<{ index: number; problems: Problem[] }>;
  /** Problems found but not listed; absent when none were left out. */
  problems_omitted?: number;
}

// Every rejected event by index, with its problems up to MAX_PROBLEMS problems in all; the
// problems past that are counted.
function _listRejected(rejected: Rejected[]): _RejectedList {
  const listed: _RejectedList["rejected"] = [];
  let budget = MAX_PROBLEMS;
  let omitted = 0;
  for (const { index, problems } of rejected) {
    // Every rejected index is listed, so a client always knows which events to fix or resend;
    // only the detailed problems are bounded.
    const shown = problems.slice(0, budget);
    listed.push({ index, problems: shown });
    budget -= shown.length;
    omitted += problems.length - shown.length;
  }
  return omitted > 0 ? { rejected: listed, problems_omitted: omitted } : { rejected: listed };
}

function _contentKind(header: string | undefined, allowNdjson: boolean): "json" | "ndjson" {
  const type = (header ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "" || type.endsWith("+json")) return "json";
  if (allowNdjson && (type === "application/x-ndjson" || type === "application/jsonl")) {
    return "ndjson";
  }
  const accepted = allowNdjson ? "application/json or application/x-ndjson" : "application/json";
  throw new HttpError(415, `Unsupported Content-Type '${type}'; send ${accepted}`, [
    { path: "Content-Type", message: `Expected ${accepted}` },
  ]);
}

function _letterProblems(problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), { path: "$", message: `${more} more problems` }];
}

/**
 * Builds the ingest routes; mount at the root.
 *
 * @param deps The ingestor, metrics, limits and logger.
 * @returns A Hono app.
 */
export function ingestRoutes(deps: IngestDeps): Hono<IngestEnv> {
  const { ingestor, metrics, limits, logger, onAccepted, now = Date.now } = deps;
  const app = new Hono<IngestEnv>();

  // The policy, for POST only: other methods fall through to a 405.
  app.on(
    "POST",
    INGEST_PATHS,
    ingestPolicy({
      keys: limits.apiKeys,
      rate: limits.rateLimit,
      capBytes: limits.maxInFlightBytes,
      maxBodyBytes: limits.maxBytes,
      now,
      onLimited: (events) => metrics.eventsRejected.inc({ reason: "rate_limited" }, events),
      onReserved: (bytes) => metrics.requestBodyBytes.set(bytes),
    }),
  );

  /** Writes dead letters; a failure is logged and counted, never turned into the answer. */
  async function deadLetter(source: string, rejected: Rejected[]): Promise<void> {
    if (rejected.length === 0) return;
    metrics.eventsRejected.inc({ reason: "invalid" }, rejected.length);
    try {
      await ingestor.deadLetter(rejected.map(({ index, problems, raw }) => ({
        source,
        reason: "invalid",
        index,
        problems: _letterProblems(problems),
        raw,
      })));
      metrics.deadLetters.inc(rejected.length);
    } catch (error) {
      metrics.deadLetterFailures.inc(rejected.length);
      logger.warn("Dead letters not written", { source, count: rejected.length, error });
    }
  }

  function accepted(events: number): void {
    metrics.eventsAccepted.inc(events);
    onAccepted?.(events);
  }

  async function postPin(c: Context<IngestEnv>) {
    _contentKind(c.req.header("content-type"), false);
    const text = decodeUtf8(c.var.body);
    const parsed = parsePin(text);
    const result = parsed.ok ? validatePinEvent(parsed.value) : parsed;
    if (!result.ok) {
      await deadLetter("edge:/pin/", [{ index: 0, problems: result.problems, raw: text }]);
      throw new HttpError(422, "Invalid pin event", result.problems);
    }
    const json = await ingestor.acceptJson(result.value);
    accepted(1);
    return c.body(json, 200, JSON_TYPE);
  }

  app.post("/pin/", postPin);
  app.post("/pin", postPin);

  app.post("/pins", async (c) => {
    const kind = _contentKind(c.req.header("content-type"), true);
    const items = await splitBatch(decodeUtf8(c.var.body), kind, limits.maxEvents);
    c.var.spendEvents(items.length);
    const batch = await validateBatch(items, kind);
    await Promise.all([
      ingestor.accept(batch.events),
      deadLetter("edge:/pins", batch.rejected),
    ]);
    accepted(batch.events.length);
    return c.json({ accepted: batch.events.length, ..._listRejected(batch.rejected) });
  });

  return app;
}
