/**
 * HTTP errors of the edge, and the one place that maps every error to a
 * JSON answer `{"error", "problems"}` with its status.
 *
 * @module
 */

import type { Context } from "hono";
import type { EdgeMetrics } from "./edge_metrics.ts";
import { BusUnavailableError, ProduceTimeoutError } from "../../lib/ingest/ingest.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import { ClosedError, OverloadedError } from "../../lib/ingest/micro_batcher.ts";
import { BodyParseError } from "./parse_pins.ts";
import type { Problem } from "../../lib/pin/pin_event.ts";
import { BodyTooLargeError } from "./read_body.ts";

/** An error with the status, message and problems to answer with. */
export class HttpError extends Error {
  readonly status: number;
  readonly problems: Problem[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    problems: Problem[] = [],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.problems = problems;
    this.headers = headers;
  }
}

function _toHttp(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof BodyTooLargeError) {
    return new HttpError(413, error.message, [{
      path: "$",
      message: `Send at most ${error.limit} bytes per request`,
    }]);
  }
  if (error instanceof BodyParseError) {
    return new HttpError(error.status, error.message, [{ path: "$", message: error.message }]);
  }
  if (error instanceof BusUnavailableError) {
    return new HttpError(503, `${error.message}; nothing was accepted, retry later`, [], {
      "Retry-After": "5",
    });
  }
  if (error instanceof ProduceTimeoutError) {
    return new HttpError(503, `${error.message}; nothing was accepted, retry later`, [], {
      "Retry-After": "5",
    });
  }
  if (error instanceof OverloadedError || error instanceof ClosedError) {
    return new HttpError(503, `${error.message}; nothing was accepted, retry later`, [], {
      "Retry-After": "1",
    });
  }
  return null;
}

/**
 * Creates the app's error handler.
 *
 * @returns A handler for `app.onError`: known errors keep their status, bus
 * failures become 503 with `Retry-After`, and anything else is logged and
 * becomes a 500 without internals.
 */
export function errorHandler(logger: Logger, metrics: EdgeMetrics) {
  return function onError(error: unknown, c: Context): Response {
    let http = _toHttp(error);
    if (http?.status === 503) {
      metrics.eventsRejected.inc({ reason: "unavailable" });
      logger.debug("Answered 503", { reason: http.message, path: c.req.path });
    }
    if (!http) {
      logger.error("Unhandled error", { error, path: c.req.path });
      http = new HttpError(500, "Internal error");
    }
    for (const [name, value] of Object.entries(http.headers)) c.header(name, value);
    return c.json({ error: http.message, problems: http.problems }, http.status as 400);
  };
}
