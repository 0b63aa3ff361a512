/**
 * The edge's Prometheus metrics (prom-client). Every name carries the
 * `pipeline_` prefix.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Name of the counter of records the edge dead-lettered (read by the dashboard). */
export const INGEST_DEAD_LETTERS_METRIC = "pipeline_ingest_dead_letters_total";

const _MAX_CHILDREN = 1000;

/** The edge's metrics. */
export interface EdgeMetrics {
  registry: Registry;
  requests: Counter<"route" | "method" | "status">;
  requestSeconds: Histogram<"route" | "method">;
  inFlightRequests: Gauge;
  /** Counts a request in flight until its {@linkcode EdgeMetrics.observeRequest} (read at scrape time). */
  startRequest(): void;
  /**
   * Counts one answered request, no longer in flight, and observes its
   * duration, through label children kept per route, method and status
   * (prom-client otherwise hashes the labels on every call).
   */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  eventsAccepted: Counter;
  eventsRejected: Counter<"reason">;
  deadLetters: Counter;
  deadLetterFailures: Counter;
  produceSeconds: Histogram<"topic" | "result">;
  produceBatchEvents: Histogram<"topic">;
  inFlightBytes: Gauge;
  requestBodyBytes: Gauge;
}

/**
 * Registers the edge's metrics.
 *
 * @param registry The process's registry (see `createProcessRegistry`).
 * @param inFlightBytes Reads the bytes waiting for the bus, at scrape time.
 * @returns The metrics.
 */
export function createEdgeMetrics(
  registry: Registry,
  inFlightBytes: () => number = () => 0,
): EdgeMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: "pipeline_http_requests_total",
    help: "HTTP requests answered, by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: "pipeline_http_request_duration_seconds",
    help: "Time to answer an HTTP request",
    labelNames: ["route", "method"] as const,
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  // Children by "route method status"; bounded, since a client chooses the method.
  const children = new Map<string, { count(): void; observe(seconds: number): void }>();
  let inFlight = 0;
  function observeRequest(route: string, method: string, status: number, seconds: number): void {
    inFlight--;
    const key = `${route} ${method} ${status}`;
    let child = children.get(key);
    if (child === undefined) {
      const counter = requests.labels(route, method, String(status));
      const timer = requestSeconds.labels(route, method);
      child = { count: () => counter.inc(), observe: (value) => timer.observe(value) };
      if (children.size < _MAX_CHILDREN) children.set(key, child);
    }
    child.count();
    child.observe(seconds);
  }
  return {
    registry,
    requests,
    requestSeconds,
    observeRequest,
    startRequest: () => {
      inFlight++;
    },
    inFlightRequests: new Gauge({
      name: "pipeline_http_requests_in_flight",
      help: "HTTP requests being answered now",
      registers,
      collect() {
        this.set(inFlight);
      },
    }),
    eventsAccepted: new Counter({
      name: "pipeline_ingest_events_accepted_total",
      help: "Pin events acknowledged by the bus and answered with success",
      registers,
    }),
    eventsRejected: new Counter({
      name: "pipeline_ingest_events_rejected_total",
      help: "Pin events refused, by reason (invalid, unavailable, overloaded, rate_limited)",
      labelNames: ["reason"],
      registers,
    }),
    deadLetters: new Counter({
      name: INGEST_DEAD_LETTERS_METRIC,
      help: "Records written to the dead-letter topic by the edge",
      registers,
    }),
    deadLetterFailures: new Counter({
      name: "pipeline_ingest_dead_letter_failures_total",
      help:
        "Records the edge could not write to the dead-letter topic (logged; the request was answered)",
      registers,
    }),
    produceSeconds: new Histogram({
      name: "pipeline_produce_duration_seconds",
      help: "Time for the bus to acknowledge one micro-batch",
      labelNames: ["topic", "result"],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    produceBatchEvents: new Histogram({
      name: "pipeline_produce_batch_events",
      help: "Events per micro-batch sent to the bus",
      labelNames: ["topic"],
      buckets: [1, 5, 10, 50, 100, 500, 1000, 2500, 5000],
      registers,
    }),
    inFlightBytes: new Gauge({
      name: "pipeline_ingest_in_flight_bytes",
      help: "Bytes accepted and waiting for the bus",
      registers,
      collect() {
        this.set(inFlightBytes());
      },
    }),
    requestBodyBytes: new Gauge({
      name: "pipeline_http_request_body_bytes_in_flight",
      help: "Bytes of request bodies reserved now, against INGEST_MAX_INFLIGHT_BYTES",
      registers,
    }),
  };
}
