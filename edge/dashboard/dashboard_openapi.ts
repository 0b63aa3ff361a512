/**
 * The dashboard's part of the edge's OpenAPI document: `GET /`,
 * `GET /dashboard/state` and `GET /dashboard/assets/{name}`.
 *
 * @module
 */

const int = { type: "integer", minimum: 0 };
const num = { type: "number", minimum: 0 };
const str = { type: "string" };
const time = { type: "string", format: "date-time" };

function _object(properties: Record<string, unknown>, nullable = false) {
  return {
    type: nullable ? ["object", "null"] : "object",
    required: Object.keys(properties),
    properties,
  };
}

const ingest = {
  ..._object({
    scope: { const: "instance" },
    until: time,
    per_second: { type: "array", items: num, minItems: 900, maxItems: 900 },
    current: num,
    peak: num,
    total: num,
  }),
  description:
    "Events accepted per second by THIS edge instance over the last 15 minutes, oldest first; " +
    "behind a load balancer each instance reports its own",
};

const realtime = {
  ..._object({
    since: time,
    until: time,
    events: int,
    images: int,
    videos: int,
    top_profiles: {
      type: "array",
      maxItems: 10,
      items: _object({
        poster_name: str,
        events: int,
        follower_count: { type: ["integer", "null"] },
      }),
    },
    categories: {
      type: "array",
      items: _object({ category: str, events: int, images: int, videos: int }),
    },
  }, true),
  description: "The real-time views over the window; null without a real-time store",
};

const history = {
  ..._object({
    years: {
      type: "array",
      maxItems: 10,
      description: "The most popular category of each year, latest year first",
      items: _object({ year: { type: "integer" }, category: str, pins: int }),
    },
    last_run: _object({
      day: { type: "string", format: "date" },
      status: str,
      finished_at: time,
      rows: { type: ["integer", "null"] },
      duration_ms: { type: ["integer", "null"] },
    }, true),
  }, true),
  description: "The batch view; null when no history store is connected",
};

const health = {
  ..._object({
    consumer_lag: _object({
      total: int,
      partitions: { type: "object", additionalProperties: int },
    }, true),
    freshness: _object({
      p50_seconds: num,
      p95_seconds: num,
      observations: int,
      over_seconds: { type: ["integer", "null"], description: "null: since the process started" },
    }, true),
  }),
  description:
    "From this process's metrics registry; a part is null when the process does not hold its " +
    "metrics (the edge deployed without the stream job)",
};

const deadLetters = {
  ..._object({
    total: int,
    last_24h: int,
    by_reason: {
      type: "array",
      description: "By records of the last 24 hours, then in total",
      items: _object({ reason: str, total: int, last_24h: int }),
    },
    complete: { type: "boolean", description: "false while the first read of the topic runs" },
  }, true),
  description: "Read from the dead-letter topic itself, so it survives a restart; null without it",
};

/** The schema of `GET /dashboard/state`'s answer. */
export const dashboardStateSchema = _object({
  generated_at: time,
  window: { enum: ["5m", "15m", "1h", "24h"] },
  ingest,
  realtime,
  history,
  dead_letters: deadLetters,
  health,
  unavailable: {
    type: "object",
    description: "Why a null section is null, by section name",
    properties: { realtime: str, history: str, dead_letters: str },
  },
});

/** The dashboard's paths, to spread into the document's `paths`. */
export const dashboardPaths = {
  "/": {
    get: {
      summary: "The live dashboard (HTML); it polls /dashboard/state every 2 s",
      responses: { 200: { description: "The page", content: { "text/html": {} } } },
    },
  },
  "/dashboard/state": {
    get: {
      summary: "Everything the dashboard shows, in one document",
      parameters: [{
        name: "window",
        in: "query",
        description: "Window of the real-time views, ending now",
        schema: { enum: ["5m", "15m", "1h", "24h"], default: "15m" },
      }],
      responses: {
        200: {
          description: "The dashboard's state",
          content: {
            "application/json": { schema: { $ref: "#/components/schemas/DashboardState" } },
          },
        },
        400: {
          description: "The window is not one of 5m, 15m, 1h, 24h",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    },
  },
  "/dashboard/assets/{name}": {
    get: {
      summary: "The dashboard's script, style, icon and Chart.js, served by the edge itself",
      parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
      responses: {
        200: {
          description: "The file; immutable when asked with its content hash (?v=...)",
          content: { "text/javascript": {}, "text/css": {}, "image/svg+xml": {} },
        },
        304: { description: "Not modified (If-None-Match)" },
        404: {
          description: "No such asset",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    },
  },
};
