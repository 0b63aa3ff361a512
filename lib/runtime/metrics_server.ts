/**
 * A tiny HTTP server for job processes (archive, stream, schedule): `GET
 * /metrics` in Prometheus text from a prom-client registry, and `GET
 * /health` as `{"status":"ok"|"degraded","checks":{...}}` (200 or 503), the
 * same shape as the edge's.
 *
 * @module
 */

import type { Registry } from "prom-client";
import type { Logger } from "./logger.ts";
import { serveHttp } from "./serve_http.ts";

/** One named check of `/health`. */
export interface HealthCheck {
  ok: boolean;
  detail: string;
}

/** Options of {@linkcode serveMetrics}. */
export interface MetricsServerOptions {
  /** `METRICS_PORT`; 0 picks a free port. */
  port: number;
  /** Default `0.0.0.0`. */
  hostname?: string;
  registry: Registry;
  /** The checks `/health` reports; without it, `/health` answers ok while the process runs. */
  health?: () => Promise<Record<string, HealthCheck>> | Record<string, HealthCheck>;
  logger: Logger;
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  shutdown(): Promise<void>;
}

function _json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/**
 * Serves `/metrics` and `/health` and logs the URL.
 *
 * @param options Port, registry, health checks, logger.
 * @returns The URL and a shutdown.
 * @throws {ConfigError} When the port cannot be bound, naming `METRICS_PORT`.
 * @example
 * ```ts
 * const server = await serveMetrics({ port: config.metricsPort, registry, logger });
 * shutdown.add(() => server.shutdown());
 * ```
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { port, hostname = "0.0.0.0", registry, health, logger } = options;

  async function handle(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return _json({ error: `Method ${request.method} is not allowed` }, 405);
    }
    if (pathname === "/metrics") {
      return new Response(await registry.metrics(), {
        headers: { "content-type": registry.contentType },
      });
    }
    if (pathname === "/health") {
      let checks: Record<string, HealthCheck>;
      try {
        checks = health ? await health() : {};
      } catch (error) {
        logger.error("A health check failed", { error });
        checks = { health: { ok: false, detail: "the health check failed" } };
      }
      const ok = Object.values(checks).every((check) => check.ok);
      return _json({ status: ok ? "ok" : "degraded", checks }, ok ? 200 : 503);
    }
    return _json({ error: `Not found: ${pathname}; try /metrics or /health` }, 404);
  }

  const server = await serveHttp({ hostname, port, portVariable: "METRICS_PORT" }, handle);
  const { url } = server;
  logger.info("Serving metrics", { metrics: `${url}/metrics`, health: `${url}/health` });
  return server;
}
