/**
 * The edge's HTTP contract as an OpenAPI 3.1 document, served at
 * `GET /openapi.json`. Its bounds come from the code that enforces them
 * (the validator's limits, the routes' patterns), and a schema-driven test
 * (tests/e2e/openapi_contract_test.ts) checks the running server against it.
 *
 * @module
 */

import {
  MAX_EVENT_ID_LENGTH,
  MAX_EXTRA_DEPTH,
  MAX_FIELD_LENGTH,
  PIN_FIELDS,
} from "../lib/pin/pin_event.ts";
import { dashboardPaths, dashboardStateSchema } from "./dashboard/dashboard_openapi.ts";
import { CATEGORY_PATTERN } from "./history_routes.ts";
import { MAX_PROBLEMS } from "./http/http_error.ts";
import { EVENT_BOUNDS } from "./http/parse_pins.ts";
import { WINDOW_PATTERN } from "./realtime_routes.ts";

const INTEGER_FIELDS = new Set(["index", "downloaded"]);

/**
 * The validator's ISO-8601 date-time, narrowed to values every store reads:
 * months 01-12 and so on (what `Date.parse` takes), and years 0002 to 9998,
 * so that no zone offset moves the instant out of 0001-9999 (PostgreSQL's
 * `timestamptz` has no year 0).
 */
const EVENT_TIME_PATTERN =
  "^(000[2-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])" +
  "-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" +
  "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

const json = (schema: unknown) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const problem = {
  type: "object",
  required: ["path", "message"],
  properties: { path: { type: "string" }, message: { type: "string" } },
};

const error = {
  type: "object",
  required: ["error", "problems"],
  properties: {
    error: { type: "string" },
    problems: { type: "array", maxItems: MAX_PROBLEMS, items: ref("Problem") },
    problems_omitted: {
      type: "integer",
      minimum: 1,
      description: `Problems found beyond the first ${MAX_PROBLEMS} listed`,
    },
  },
};

const pinField = (name: string) =>
  INTEGER_FIELDS.has(name)
    ? { type: "integer", minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }
    : { type: "string", maxLength: MAX_FIELD_LENGTH };

const pin = {
  type: "object",
  description: "A pin event exactly as the seed project's client sends it. Unknown fields are " +
    `kept, up to ${MAX_EXTRA_DEPTH} levels deep and ${EVENT_BOUNDS.maxNodes} objects, arrays ` +
    "and fields in one event.",
  required: [...PIN_FIELDS],
  additionalProperties: true,
  properties: {
    ...Object.fromEntries(PIN_FIELDS.map((name) => [name, pinField(name)])),
    follower_count: {
      ...pinField("follower_count"),
      examples: ["523", "12k", "1.2M", "User Info Error"],
    },
    tag_list: { ...pinField("tag_list"), description: "Comma-separated tags" },
    is_image_or_video: { ...pinField("is_image_or_video"), examples: ["image", "video"] },
    save_location: { ...pinField("save_location"), examples: ["Local save in /data/art"] },
    category: { ...pinField("category"), examples: ["art", "travel"] },
    event_id: {
      type: "string",
      minLength: 1,
      maxLength: MAX_EVENT_ID_LENGTH,
      description: "Idempotency key; assigned (UUIDv7) when absent",
    },
    event_time: {
      type: "string",
      pattern: EVENT_TIME_PATTERN,
      description: "ISO-8601 with a zone, e.g. 2026-11-26T10:15:00Z",
    },
  },
};

const STATUS_TEXT: Record<number, string> = {
  400: "Body is not JSON or not UTF-8, or labelled gzip and not gzip",
  401: "API keys are configured and the key is missing or wrong; see WWW-Authenticate",
  413: "Body over INGEST_MAX_BYTES (after decompression), over INGEST_MAX_EVENTS events, " +
    "or more events than the rate limit allows in one second",
  415: "Unsupported Content-Type or Content-Encoding",
  422: "Schema violation; each problem names its field",
  429: "Over the per-key rate limit; see Retry-After",
  503: "The bus did not acknowledge in time, or too many bytes are in flight; " +
    "nothing was accepted; see Retry-After",
};

function _errors(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((
      status,
    ) => [status, { description: STATUS_TEXT[status], content: json(ref("Error")) }]),
  );
}

const ingestErrors = _errors(400, 401, 413, 415, 422, 429, 503);

const readErrors = {
  400: {
    description: "A query parameter is invalid; the problem names it",
    content: json(ref("Error")),
  },
  401: {
    description: "READ_API_KEYS is set and the key is missing or wrong",
    content: json(ref("Error")),
  },
  503: {
    description: "The store behind the route did not answer; see Retry-After",
    content: json(ref("Error")),
  },
};

const yearParameter = {
  name: "year",
  in: "query",
  description: "Event-time year; the current UTC year by default",
  schema: { type: "integer", minimum: 1970, maximum: 9999 },
};

const limitParameter = {
  name: "limit",
  in: "query",
  schema: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
};

function windowParameter(fallback: string) {
  return {
    name: "window",
    in: "query",
    description: "Sliding window ending now: Nm, Nh or Nd, from 1m to 30d",
    schema: { type: "string", pattern: WINDOW_PATTERN, default: fallback },
  };
}

function rows(fields: Record<string, string | string[]>, description = "Rows, most active first") {
  return {
    description,
    content: json({
      type: "array",
      items: {
        type: "object",
        required: Object.keys(fields),
        properties: Object.fromEntries(
          Object.entries(fields).map(([name, type]) => [name, { type }]),
        ),
      },
    }),
  };
}

function object(fields: Record<string, unknown>, description: string) {
  return {
    description,
    content: json({ type: "object", required: Object.keys(fields), properties: fields }),
  };
}

function read(summary: string, parameters: unknown[], ok: unknown, more: object = {}) {
  const statuses = parameters.length > 0
    ? readErrors
    : { 401: readErrors[401], 503: readErrors[503] };
  return { get: { summary, parameters, responses: { 200: ok, ...statuses, ...more } } };
}

const acceptedPin = {
  description: "Accepted: the event echoed back with its event_id and received_at",
  content: json({
    allOf: [ref("Pin"), {
      type: "object",
      required: ["event_id", "received_at"],
      properties: { received_at: { type: "string", format: "date-time" } },
    }],
  }),
};

function postPin(operationId: string, summary: string) {
  return {
    post: {
      operationId,
      summary,
      requestBody: { required: true, content: json(ref("Pin")) },
      responses: { 200: acceptedPin, ...ingestErrors },
    },
  };
}

const health = {
  type: "object",
  required: ["status", "checks"],
  properties: {
    status: { enum: ["ok", "degraded"] },
    checks: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["ok", "detail"],
        properties: {
          ok: { type: "boolean" },
          detail: { type: "string" },
          kind: { type: "string" },
        },
      },
    },
  },
};

const open = [{}];

/** Adds the read routes' 401 to the dashboard's operations. */
function _readProtected(paths: Record<string, { get: { responses: object } }>) {
  return Object.fromEntries(
    Object.entries(paths).map((
      [path, item],
    ) => [path, {
      get: { ...item.get, responses: { ...item.get.responses, 401: readErrors[401] } },
    }]),
  );
}

/** The OpenAPI document. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Pinterest Pipeline edge",
    version: "1.0.0",
    description: "Ingest of pin events into Kafka. A 200 means the bus acknowledged the events " +
      "durably (acks=all). Ingest routes take INGEST_API_KEYS, read routes READ_API_KEYS, when set; " +
      "/health, /metrics and /openapi.json are open. Other methods on these paths answer 405 " +
      "with an Allow header.",
  },
  components: {
    schemas: { Problem: problem, Error: error, Pin: pin, DashboardState: dashboardStateSchema },
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
      basic: { type: "http", scheme: "basic", description: "The key as the password" },
    },
  },
  security: [{}, { bearer: [] }, { apiKey: [] }, { basic: [] }],
  paths: {
    ..._readProtected(dashboardPaths),
    "/pin/": postPin("postPin", "Ingest one pin event"),
    "/pin": postPin("postPinAlias", "Ingest one pin event (the same as /pin/)"),
    "/pins": {
      post: {
        operationId: "postPins",
        summary: "Ingest many pin events: a JSON array, or NDJSON (application/x-ndjson)",
        requestBody: {
          required: true,
          content: {
            ...json({
              type: "array",
              description: "Pin events; an item that is not a valid Pin is rejected on its own " +
                "and listed in `rejected`, the others are accepted",
              items: { anyOf: [ref("Pin"), {}] },
            }),
            "application/x-ndjson": { schema: { type: "string" } },
          },
        },
        responses: {
          200: {
            description: "Valid events accepted; invalid ones listed (the first " +
              `${MAX_PROBLEMS} problems) and written to pins.dlq`,
            content: json({
              type: "object",
              required: ["accepted", "rejected"],
              properties: {
                accepted: { type: "integer", minimum: 0 },
                rejected: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["index", "problems"],
                    properties: {
                      index: { type: "integer", minimum: 0 },
                      problems: { type: "array", items: ref("Problem") },
                    },
                  },
                },
                problems_omitted: { type: "integer", minimum: 1 },
              },
            }),
          },
          ...ingestErrors,
        },
      },
    },
    "/realtime/profiles/top": read(
      "Profile popularity: the most active profiles over a sliding window",
      [windowParameter("15m"), limitParameter],
      rows({ poster_name: "string", events: "integer", follower_count: ["integer", "null"] }),
    ),
    "/realtime/categories": read(
      "Category activity over a sliding window, with image and video counts",
      [windowParameter("1h")],
      rows({ category: "string", events: "integer", images: "integer", videos: "integer" }),
    ),
    "/realtime/summary": read(
      "Totals over a sliding window and the events of each bucket: minutes up to 6h, " +
        "hours up to 48h, days beyond (or coarser once the finer rows are past their retention)",
      [windowParameter("1h")],
      object(
        {
          since: { type: "string", format: "date-time" },
          until: { type: "string", format: "date-time" },
          grain: { type: "string", enum: ["minute", "hour", "day"] },
          events: { type: "integer" },
          images: { type: "integer" },
          videos: { type: "integer" },
          minutes: { type: "array", items: { type: "object" } },
        },
        "{since, until, grain, events, images, videos, minutes: [{minute, events, images, videos}]}",
      ),
    ),
    "/history/categories": read(
      "Pins per category in an event-time year (batch view)",
      [yearParameter],
      rows({ category: "string", pins: "integer" }),
    ),
    "/history/categories/top": read(
      "The most popular category of a year (batch view)",
      [yearParameter],
      object({
        year: { type: "integer" },
        category: { type: "string" },
        pins: { type: "integer" },
      }, "{year, category, pins}"),
      { 404: { description: "No batch data for that year", content: json(ref("Error")) } },
    ),
    "/history/media": read(
      "Image, video and unknown pins of a year (batch view)",
      [yearParameter],
      object({
        year: { type: "integer" },
        image: { type: "integer" },
        video: { type: "integer" },
        unknown: { type: "integer" },
      }, "{year, image, video, unknown}"),
    ),
    "/history/profiles/top": read(
      "Top profiles of a category by follower count (batch view)",
      [
        {
          name: "category",
          in: "query",
          required: true,
          schema: { type: "string", minLength: 1, maxLength: 200, pattern: CATEGORY_PATTERN },
        },
        limitParameter,
      ],
      rows({ poster_name: "string", follower_count: ["integer", "null"], pins: "integer" }),
    ),
    "/history/years": read("Event-time years with batch data", [], {
      description: "[2024, 2025, ...]",
      content: json({ type: "array", items: { type: "integer" } }),
    }),
    "/history/runs": read("The latest batch run of every day", [], {
      description:
        "[{day, status, inputs, rowsIn, valid, invalid, duplicates, rowsOut, nulled, durationMs, finishedAt}]; nulled: what the cleaning made null, {field: {reason: count}}",
      content: json({ type: "array", items: { type: "object" } }),
    }),
    "/health": {
      get: {
        summary: "Health of the bus, the real-time store and other checks, each bounded to 1 s",
        security: open,
        responses: {
          200: { description: "Every check passed", content: json(health) },
          503: {
            description: "A check failed or did not answer within 1000 ms",
            content: json(health),
          },
        },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics",
        security: open,
        responses: {
          200: { description: "Prometheus text exposition", content: { "text/plain": {} } },
        },
      },
    },
    "/openapi.json": {
      get: {
        summary: "This document",
        security: open,
        responses: { 200: { description: "OpenAPI 3.1", content: json({ type: "object" }) } },
      },
    },
  },
};
