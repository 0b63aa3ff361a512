/**
 * Fixed inputs for regression tests of what the fuzzer found: requests
 * written out by hand (not regenerated from a recipe, so they stay the same
 * whatever the generators become), run through the pipeline and checked by
 * the same oracle.
 *
 * @example
 * ```ts
 * const sent = fixedCase([{ at: "2026-03-06T23:59:30Z", requests: [pin({ ...fullPin(), event_id: "a" })] }]);
 * assert.deepEqual(await replayFixedCase(stores, sent), []);
 * ```
 *
 * @module
 */

import type { Answer } from "./case_truth.ts";
import { type CaseRun, runCase } from "./case_runner.ts";
import { toJsonText } from "./json_text.ts";
import type { SentCase, SentItem, SentRequest } from "./materialize_case.ts";
import { checkCase } from "./oracle.ts";
import type { FuzzStores } from "./pipeline_adapters.ts";
import { expectedVerdict } from "./verdict_model.ts";
import type { Violation } from "./violation.ts";

/** One request of a fixed case. */
export interface FixedRequest {
  path: "/pin/" | "/pins";
  /** Default `application/json` (`application/x-ndjson` for an NDJSON body). */
  contentType?: string;
  /** JSON values: one for `/pin/`, the items of a `/pins` array or NDJSON body. */
  items: unknown[];
  ndjson?: boolean;
}

/** A step of a fixed case: requests sent at once at `at`. */
export interface FixedStep {
  at: string;
  requests: FixedRequest[];
}

const encoder = new TextEncoder();

/**
 * A single `POST /pin/` of one event.
 *
 * @param event The event.
 * @returns The request.
 */
export function pin(event: unknown): FixedRequest {
  return { path: "/pin/", items: [event] };
}

/**
 * A `POST /pins` of events as a JSON array (or NDJSON).
 *
 * @param events The events.
 * @param ndjson Send NDJSON instead.
 * @returns The request.
 */
export function pins(events: unknown[], ndjson = false): FixedRequest {
  return { path: "/pins", items: events, ndjson };
}

function _sentItem(value: unknown, index: number): SentItem {
  const text = toJsonText(value as never);
  return {
    text,
    value: JSON.parse(text),
    verdict: expectedVerdict(JSON.parse(text)),
    serverIndex: index,
  };
}

/**
 * Builds the case the fuzzer's runner takes from fixed requests.
 *
 * @param steps The steps.
 * @returns The case.
 */
export function fixedCase(steps: FixedStep[]): SentCase {
  let items = 0;
  return {
    steps: steps.map((step) => ({
      at: Date.parse(step.at),
      requests: step.requests.map((request): SentRequest => {
        const sent = request.items.map(_sentItem);
        items += sent.length;
        const body = request.path === "/pin/"
          ? sent[0]!.text
          : request.ndjson
          ? sent.map((item) => item.text).join("\n") + "\n"
          : `[${sent.map((item) => item.text).join(",")}]`;
        return {
          path: request.path,
          contentType: request.contentType ??
            (request.ndjson ? "application/x-ndjson" : "application/json"),
          body: encoder.encode(body),
          items: sent,
          label: `${request.ndjson ? "ndjson " : ""}${sent.length} fixed items`,
        };
      }),
    })),
    items,
  };
}

/** What a fixed case did. */
export interface FixedOutcome {
  violations: Violation[];
  /** The edge's answers, per step and request. */
  answers: Answer[][];
  run: CaseRun;
}

let _cases = 0;

/**
 * Runs a fixed case on fresh stores of the run and checks it.
 *
 * @param stores The run's stores (see `openFuzzStores`).
 * @param sent The case.
 * @returns The violations (none when every promise held) and the answers.
 */
export async function replayFixedCase(stores: FuzzStores, sent: SentCase): Promise<FixedOutcome> {
  const caseStores = await stores.forCase(1_000_000 + _cases++);
  try {
    const run = await runCase(caseStores, sent);
    return { violations: checkCase(run), answers: run.answers, run };
  } finally {
    await caseStores.release();
  }
}
