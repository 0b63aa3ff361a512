/**
 * Turns a case recipe into the exact requests sent, and records for every
 * item what the server will parse from it, where it sits in the request (the
 * index the edge reports problems under) and the contract's verdict.
 *
 * @module
 */

import { buildBulk, buildEvent } from "./event_arbitraries.ts";
import type { CaseRecipe, ItemRecipe, RawBody, RequestRecipe } from "./case_arbitraries.ts";
import { type JsonLike, toJsonText } from "./json_text.ts";
import { expectedVerdict, type Verdict } from "./verdict_model.ts";

/** One item as sent. */
export interface SentItem {
  /** Its JSON text (or the junk). */
  text: string;
  /** What the server parses; `undefined` when the text is not JSON. */
  value: unknown;
  verdict: Verdict;
  /** Its index in the edge's answer; null when the edge skips it (a blank NDJSON line). */
  serverIndex: number | null;
}

/** One request as sent. */
export interface SentRequest {
  path: "/pin/" | "/pins";
  contentType: string | null;
  body: Uint8Array<ArrayBuffer>;
  items: SentItem[];
  /** A short description for reports, e.g. `/pins ndjson 12 items`. */
  label: string;
}

/** Requests sent at once, at one instant of the edge's clock. */
export interface SentStep {
  at: number;
  requests: SentRequest[];
}

/** A case as sent. */
export interface SentCase {
  steps: SentStep[];
  /** Items across all requests. */
  items: number;
}

const encoder = new TextEncoder();

function _parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function _item(text: string, value?: unknown): SentItem {
  const parsed = value === undefined ? _parse(text) : value;
  return {
    text,
    value: parsed,
    verdict: parsed === undefined ? "invalid" : expectedVerdict(parsed),
    serverIndex: null,
  };
}

function _rawRequest(target: "/pin/" | "/pins", body: RawBody, event: string): SentRequest {
  const json = target === "/pins" ? `[${event}]` : event;
  switch (body) {
    case "invalid-utf8":
      return _request(target, null, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), [], "invalid UTF-8");
    case "bom": {
      // A decoder may drop the BOM (RFC 8259 allows either): the event may or may not count.
      const item = { ..._item(event), verdict: "open" as const, serverIndex: 0 };
      return _request(target, null, encoder.encode(`\ufeff${json}`), [item], "BOM");
    }
    case "empty":
      return _request(target, null, new Uint8Array(0), [], "empty body");
    case "deep-array": {
      const depth = 100_000;
      const text = "[".repeat(depth) + "]".repeat(depth);
      // The edge sees one element, itself an array: invalid whatever its depth.
      const items = target === "/pins" ? [_item("[]")] : [];
      items.forEach((item, i) => item.serverIndex = i);
      return _request(target, null, encoder.encode(text), items, `${depth} nested arrays`);
    }
    case "many-empty-objects": {
      const count = 12_000;
      if (target === "/pin/") {
        return _request(target, null, encoder.encode("{}"), [_item("{}")], "{}");
      }
      const items = Array.from({ length: count }, (_, i) => ({ ..._item("{}"), serverIndex: i }));
      return _request(
        target,
        "application/x-ndjson",
        encoder.encode("{}\n".repeat(count)),
        items,
        `${count} empty objects`,
      );
    }
  }
}

function _request(
  path: "/pin/" | "/pins",
  contentType: string | null,
  body: Uint8Array<ArrayBuffer>,
  items: SentItem[],
  label: string,
): SentRequest {
  return { path, contentType, body, items, label: `${path} ${label}` };
}

/**
 * Builds the requests of a case.
 *
 * @param recipe The case.
 * @returns Steps with their clock and requests; retries refer to earlier events of the case.
 */
export function materializeCase(recipe: CaseRecipe): SentCase {
  const events: SentItem[] = [];
  const sent: SentRequest[] = [];
  let ordinal = 0;
  let items = 0;
  let at = recipe.start;

  function item(recipe: ItemRecipe): SentItem | null {
    switch (recipe.kind) {
      case "event": {
        const event = buildEvent(recipe.event, { start: at, ordinal: ordinal++ });
        const made = _item(toJsonText(event));
        if (typeof made.value === "object" && made.value !== null) events.push(made);
        return made;
      }
      case "retry": {
        const earlier = events[recipe.of % Math.max(1, events.length)];
        return earlier ? { ...earlier } : null;
      }
      case "junk":
        return _item(recipe.text);
      case "cut": {
        const text = toJsonText(buildEvent(recipe.event, { start: at, ordinal: ordinal++ }));
        return _item(text.slice(0, Math.floor(text.length * recipe.at)));
      }
      case "value":
        return _item(toJsonText(recipe.value));
    }
  }

  function request(recipe: RequestRecipe): SentRequest | null {
    switch (recipe.route) {
      case "/pin/": {
        const one = item(recipe.item);
        if (!one) return null;
        one.serverIndex = 0;
        const label = one.value === undefined ? "not JSON" : "one item";
        return _request("/pin/", recipe.contentType, encoder.encode(one.text), [one], label);
      }
      case "/pins":
        return _batch(recipe, item);
      case "resend": {
        const earlier = sent[recipe.of % Math.max(1, sent.length)];
        if (!earlier) return null;
        return {
          ...earlier,
          items: earlier.items.map((one) => ({ ...one })),
          label: `${earlier.label} (resent)`,
        };
      }
      case "bulk": {
        const bulk = buildBulk(recipe.seed, recipe.count, { start: at, ordinal });
        ordinal += bulk.length;
        const made = bulk.map((event, i) => ({ ..._item(toJsonText(event)), serverIndex: i }));
        events.push(...made);
        const body = recipe.format === "json"
          ? `[${made.map((one) => one.text).join(",")}]`
          : made.map((one) => one.text).join("\n") + "\n";
        return _request(
          "/pins",
          recipe.format === "json" ? "application/json" : "application/x-ndjson",
          encoder.encode(body),
          made,
          `${recipe.format} ${made.length} seed-shaped events`,
        );
      }
      case "raw":
        return _rawRequest(
          recipe.target,
          recipe.body,
          toJsonText(buildEvent({ seed: 0, mutations: [] }, { start: at, ordinal: ordinal++ })),
        );
    }
  }

  const steps: SentStep[] = [];
  for (const step of recipe.steps) {
    at += step.advanceMs;
    const requests: SentRequest[] = [];
    for (const one of step.requests) {
      const made = request(one);
      if (!made) continue;
      requests.push(made);
      sent.push(made);
      items += made.items.length;
    }
    if (requests.length > 0) steps.push({ at, requests });
  }
  return { steps, items };
}

function _batch(
  recipe: Extract<RequestRecipe, { route: "/pins" }>,
  item: (recipe: ItemRecipe) => SentItem | null,
): SentRequest {
  const made = recipe.items.map(item).filter((one): one is SentItem => one !== null);
  if (recipe.format === "json") {
    // Not-JSON items travel as JSON strings inside the array.
    const elements = made.map((
      one,
    ) => (one.value === undefined ? _item(JSON.stringify(one.text)) : one));
    elements.forEach((one, i) => one.serverIndex = i);
    const body = `[${elements.map((one) => one.text).join(",")}]`;
    return _request(
      "/pins",
      recipe.contentType,
      encoder.encode(body),
      elements,
      `json ${made.length} items`,
    );
  }
  const end = recipe.crlf ? "\r\n" : "\n";
  const lines: string[] = [];
  let index = 0;
  for (const one of made) {
    if (recipe.blankLines) lines.push(" ");
    lines.push(one.text);
    // The edge splits on "\n" and skips lines that are blank once trimmed.
    one.serverIndex = one.text.trim() === "" ? null : index++;
  }
  return _request(
    "/pins",
    recipe.contentType,
    encoder.encode(lines.join(end) + (lines.length > 0 ? end : "")),
    made,
    `ndjson ${made.length} items`,
  );
}

/**
 * Whether a sent item is an event object (the edge validates it as one).
 *
 * @param item The item.
 * @returns True for a JSON object.
 */
export function isObjectItem(
  item: SentItem,
): item is SentItem & { value: Record<string, JsonLike> } {
  return typeof item.value === "object" && item.value !== null && !Array.isArray(item.value);
}
