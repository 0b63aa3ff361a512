/**
 * The edge's HTTP contract as an OpenAPI 3.1 document, served at
 * `GET /openapi.json`.
 *
 * @module
 */

import { PIN_FIELDS } from "../lib/pin/pin_event.ts";
import { dashboardPaths, dashboardStateSchema } from "./dashboard/dashboard_openapi.ts";

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
    problems: { type: "array", items: { $ref: "#/components/schemas/Problem" } },
  },
};

const pin = {
  type: "object",
  description:
    "A pin event exactly as the seed project's client sends it. Unknown fields are kept.",
  required: [...PIN_FIELDS],
  additionalProperties: true,
  properties: {
    index: { type: "integer" },
    unique_id: { type: "string" },
    title: { type: "string", maxLength: 65536 },
    description: { type: "string", maxLength: 65536 },
    poster_name: { type: "string" },
    follower_count: { type: "string", examples: ["523", "12k", "1.2M", "User Info Error"] },
    tag_list: { type: "string", description: "Comma-separated tags" },
    is_image_or_video: { type: "string", examples: ["image", "video"] },
    image_src: { type: "string" },
    downloaded: { type: "integer" },
    save_location: { type: "string", examples: ["Local save in /data/art"] },
    category: { type: "string", examples: ["art", "travel"] },
    event_id: {
      type: "string",
      maxLength: 128,
      description: "Idempotency key; assigned (UUIDv7) when absent",
    },
    event_time: { type: "string", format: "date-time", description: "ISO-8601 with a zone" },
  },
};

function _errors(...statuses: number[]) {
  const text: Record<number, string> = {
    400: "Body is not JSON or not UTF-8",
    401: "API keys are configured and the key is missing or wrong",
    413: "Body or batch too large",
    415: "Unsupported Content-Type",
    422: "Schema violation; each problem names its field",
    429: "Over the per-key rate limit; see Retry-After",
    503: "The bus did not acknowledge in time; nothing was accepted; see Retry-After",
  };
  return Object.fromEntries(statuses.map((status) => [status, {
    description: text[status],
    content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
  }]));
}

const ingestErrors = _errors(400, 401, 413, 415, 422, 429, 503);

const badParameter = {
  description: "A query parameter is invalid; the problem names it",
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
};

const yearParameter = {
  name: "year",
  in: "query",
  description: "Event-time year; the current UTC year by default",
  schema: { type: "integer", minimum: 1970, maximum: 9999 },
};

function windowParameter(fallback: string) {
  return {
    name: "window",
    in: "query",
    description: "Sliding window ending now: Nm, Nh or Nd, at most 30d",
    schema: { type: "string", pattern: "^[1-9][0-9]{0,5}[mhd]$", default: fallback },
  };
}

function jsonArray(fields: Record<string, string>) {
  return {
    description: "Rows, most active first",
    content: {
      "application/json": {
        schema: {
          type: "array",
          items: {
            type: "object",
            properties: Object.fromEntries(
              Object.entries(fields).map(([name, type]) => [name, { type }]),
            ),
          },
        },
      },
    },
  };
}

/** The OpenAPI document. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Pinterest Pipeline edge",
    version: "1.0.0",
    description:
      "Ingest of pin events into Kafka. A 200 means the bus acknowledged the events durably (acks=all).",
  },
  components: {
    schemas: { Problem: problem, Error: error, Pin: pin, DashboardState: dashboardStateSchema },
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer" },
      apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
    },
  },
  security: [{}, { bearer: [] }, { apiKey: [] }],
  paths: {
    ...dashboardPaths,
    "/pin/": {
      post: {
        summary: "Ingest one pin event (also at /pin)",
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/Pin" } } },
        },
        responses: {
          200: {
            description: "Accepted: the event echoed back with its event_id and received_at",
            content: {
              "application/json": {
                schema: {
                  allOf: [{ $ref: "#/components/schemas/Pin" }, {
                    type: "object",
                    required: ["event_id", "received_at"],
                    properties: { received_at: { type: "string", format: "date-time" } },
                  }],
                },
              },
            },
          },
          ...ingestErrors,
        },
      },
    },
    // The same operation without the trailing slash (a JSON Reference to the path item above).
    "/pin": { $ref: "#/paths/~1pin~1" },
    "/pins": {
      post: {
        summary: "Ingest many pin events: a JSON array, or NDJSON (application/x-ndjson)",
        requestBody: {
          required: true,
          content: {
            "application/json": {
              schema: { type: "array", items: { $ref: "#/components/schemas/Pin" } },
            },
            "application/x-ndjson": { schema: { type: "string" } },
          },
        },
        responses: {
          200: {
            description: "Valid events accepted; invalid ones listed and written to pins.dlq",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["accepted", "rejected"],
                  properties: {
                    accepted: { type: "integer" },
                    rejected: {
                      type: "array",
                      items: {
                        type: "object",
                        properties: {
                          index: { type: "integer" },
                          problems: {
                            type: "array",
                            items: { $ref: "#/components/schemas/Problem" },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          ...ingestErrors,
        },
      },
    },
    "/realtime/profiles/top": {
      get: {
        summary: "Profile popularity: the most active profiles over a sliding window",
        parameters: [windowParameter("15m"), {
          name: "limit",
          in: "query",
          schema: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
        }],
        responses: {
          200: jsonArray({ poster_name: "string", events: "integer", follower_count: "integer" }),
          400: badParameter,
        },
      },
    },
    "/realtime/categories": {
      get: {
        summary: "Category activity over a sliding window, with image and video counts",
        parameters: [windowParameter("1h")],
        responses: {
          200: jsonArray({
            category: "string",
            events: "integer",
            images: "integer",
            videos: "integer",
          }),
          400: badParameter,
        },
      },
    },
    "/history/categories": {
      get: {
        summary: "Pins per category in an event-time year (batch view)",
        parameters: [yearParameter],
        responses: { 200: jsonArray({ category: "string", pins: "integer" }), 400: badParameter },
      },
    },
    "/history/categories/top": {
      get: {
        summary: "The most popular category of a year (batch view)",
        parameters: [yearParameter],
        responses: {
          200: {
            description: "{year, category, pins}",
            content: { "application/json": { schema: { type: "object" } } },
          },
          400: badParameter,
          404: { ...badParameter, description: "No batch data for that year" },
        },
      },
    },
    "/history/media": {
      get: {
        summary: "Image, video and unknown pins of a year (batch view)",
        parameters: [yearParameter],
        responses: {
          200: {
            description: "{year, image, video, unknown}",
            content: { "application/json": { schema: { type: "object" } } },
          },
          400: badParameter,
        },
      },
    },
    "/history/profiles/top": {
      get: {
        summary: "Top profiles of a category by follower count (batch view)",
        parameters: [
          { name: "category", in: "query", required: true, schema: { type: "string" } },
          {
            name: "limit",
            in: "query",
            schema: { type: "integer", minimum: 1, maximum: 1000, default: 10 },
          },
        ],
        responses: {
          200: jsonArray({ poster_name: "string", follower_count: "integer", pins: "integer" }),
          400: badParameter,
        },
      },
    },
    "/history/years": {
      get: {
        summary: "Event-time years with batch data",
        responses: {
          200: { description: "[2024, 2025, ...]", content: { "application/json": {} } },
        },
      },
    },
    "/history/runs": {
      get: {
        summary: "The latest batch run of every day",
        responses: {
          200: {
            description:
              "[{day, status, inputs, rowsIn, valid, invalid, duplicates, rowsOut, nulled, durationMs, finishedAt}]; nulled: what the cleaning made null, {field: {reason: count}}",
            content: { "application/json": {} },
          },
        },
      },
    },
    "/realtime/summary": {
      get: {
        summary: "Totals over a sliding window and the events of each minute",
        parameters: [windowParameter("1h")],
        responses: {
          200: {
            description:
              "{since, until, events, images, videos, minutes: [{minute, events, images, videos}]}",
            content: { "application/json": { schema: { type: "object" } } },
          },
          400: badParameter,
        },
      },
    },
    "/health": {
      get: {
        summary: "Health of the edge and its bus",
        responses: {
          200: { description: '{"status":"ok","checks":{...}}' },
          503: { description: '{"status":"degraded","checks":{...}}' },
        },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics",
        responses: {
          200: { description: "Prometheus text exposition", content: { "text/plain": {} } },
        },
      },
    },
  },
};
