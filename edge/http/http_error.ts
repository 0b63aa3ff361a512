/**
 * HTTP errors of the edge, and the one place that maps every error to a
 * JSON answer `{"error", "problems"}` with its status. At most
 * {@linkcode MAX_PROBLEMS} problems are listed; the rest are counted in
 * `problems_omitted`.
 *
 * @module
 */

import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { EdgeMetrics } from "./edge_metrics.ts";
import { BusUnavailableError, ProduceTimeoutError } from "../../lib/ingest/ingest.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import { ClosedError, OverloadedError } from "../../lib/ingest/micro_batcher.ts";
import { BodyParseError, TooManyEventsError } from "./parse_pins.ts";
import type { Problem } from "../../lib/pin/pin_event.ts";
import { isUnavailable } from "./unavailable.ts";

/** Most problems listed in one answer. */
export const MAX_PROBLEMS = 100;

/** A Hono `HTTPException` with the problems and headers to answer with. */
export class HttpError extends HTTPException {
  readonly problems: Problem[];
  readonly headers: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    message: string,
    problems: Problem[] = [],
    headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.name = "HttpError";
    this.problems = problems;
    this.headers = headers;
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: string;
  problems: Problem[];
  /** Problems found but not listed, when more than {@linkcode MAX_PROBLEMS}. */
  problems_omitted?: number;
}

/**
 * The body of an error answer, its problems cut at {@linkcode MAX_PROBLEMS}.
 *
 * @param message What went wrong.
 * @param problems Each problem found.
 * @returns The body.
 */
export function errorBody(message: string, problems: Problem[]): ErrorBody {
  if (problems.length <= MAX_PROBLEMS) return { error: message, problems };
  return {
    error: message,
    problems: problems.slice(0, MAX_PROBLEMS),
    problems_omitted: problems.length - MAX_PROBLEMS,
  };
}

function _busError(error: unknown): HttpError | null {
  if (error instanceof BusUnavailableError || error instanceof ProduceTimeoutError) {
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

function _toHttp(error: unknown, path: string): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof HTTPException) {
    return new HttpError(error.status as ContentfulStatusCode, error.message || "Request refused");
  }
  if (error instanceof TooManyEventsError) {
    return new HttpError(413, error.message, [{
      path: "$",
      message: `Split the batch into requests of at most ${error.limit} events`,
    }]);
  }
  if (error instanceof BodyParseError) {
    return new HttpError(error.status, error.message, [{ path: "$", message: error.message }]);
  }
  if (isUnavailable(error)) {
    return new HttpError(503, `The store behind ${path} did not answer; retry later`, [], {
      "Retry-After": "5",
    });
  }
  return null;
}

/**
 * Creates the app's error handler.
 *
 * @returns A handler for `app.onError`: known errors keep their status, bus
 * failures and unreachable stores become 503 with `Retry-After`, and anything
 * else is logged and becomes a 500 without internals.
 */
export function errorHandler(logger: Logger, metrics: EdgeMetrics) {
  return function onError(error: unknown, c: Context): Response {
    const bus = _busError(error);
    if (bus) metrics.eventsRejected.inc({ reason: "unavailable" });
    let http = bus ?? _toHttp(error, c.req.path);
    if (http?.status === 503) {
      const fields = { reason: http.message, path: c.req.path, error };
      if (http === error || bus) logger.debug("Answered 503", fields);
      else logger.warn("A store did not answer", fields);
    }
    if (!http) {
      logger.error("Unhandled error", { error, path: c.req.path });
      http = new HttpError(500, "Internal error");
    }
    for (const [name, value] of Object.entries(http.headers)) c.header(name, value);
    return c.json(errorBody(http.message, http.problems), http.status);
  };
}
