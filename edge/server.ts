/**
 * Starts the edge on a bus: topics, ingestor, metrics, app, and an HTTP
 * server that shuts down without losing what it accepted.
 *
 * @module
 */

import type { Bus } from "../lib/bus/bus.ts";
import { pipelineTopics } from "../lib/bus/mod.ts";
import type { Config } from "../lib/runtime/config.ts";
import { createEdgeMetrics } from "./http/edge_metrics.ts";
import { createIngestor } from "../lib/ingest/ingest.ts";
import type { Logger } from "../lib/runtime/logger.ts";
import { serveHttp } from "../lib/runtime/serve_http.ts";
import type { Registry } from "prom-client";
import { createUuidV7 } from "../lib/ingest/uuid_v7.ts";
import type { RealtimeStore } from "../lib/realtime/realtime_store.ts";
import { createApp, type EdgeDeps } from "./app.ts";
import { loadDashboardAssets } from "./dashboard/dashboard_assets.ts";
import type { HistoryStore } from "../lib/history/history_store.ts";
import { createDeadLetterCounts } from "../lib/dlq/dlq_counts.ts";

/** A running edge. */
export interface RunningEdge {
  url: string;
  /** Stops accepting, answers what is in flight, flushes to the bus. The bus stays open. */
  shutdown(): Promise<void>;
}

/** What the edge runs on. */
export interface EdgeServices {
  config: Config;
  /** The bus to publish to; its topics are created when missing. */
  bus: Bus;
  logger: Logger;
  /** The process's metrics registry, served at `/metrics`. */
  registry: Registry;
  /** The real-time store, for `/realtime/...`. */
  realtime?: RealtimeStore;
  /** The history store, for `/history/...` and the dashboard's batch section. */
  history?: HistoryStore;
  /** More checks `/health` runs, by name (e.g. the stream job's in `deno task dev`). */
  healthChecks?: EdgeDeps["healthChecks"];
}

/**
 * Starts the edge.
 *
 * @param services The configuration, bus, logger and registry.
 * @returns The running edge.
 * @throws {ConfigError} When `HOST`:`PORT` cannot be bound, naming the address.
 */
export async function startEdge(services: EdgeServices): Promise<RunningEdge> {
  const { config, bus, logger, registry, realtime, history, healthChecks } = services;
  await bus.ensureTopics(pipelineTopics(config.bus));
  let ingestorRef: { inFlightBytes(): number } | null = null;
  const metrics = createEdgeMetrics(registry, () => ingestorRef?.inFlightBytes() ?? 0);
  const ingestor = createIngestor({
    bus,
    pinsTopic: config.bus.pinsTopic,
    dlqTopic: config.bus.dlqTopic,
    timeoutMs: config.ingest.produceTimeoutMs,
    newId: createUuidV7(),
    observer: {
      onFlush({ topic, items, seconds, ok }) {
        metrics.produceSeconds.observe({ topic, result: ok ? "ok" : "error" }, seconds);
        metrics.produceBatchEvents.observe({ topic }, items);
      },
    },
  });
  ingestorRef = ingestor;
  const dashboard = await loadDashboardAssets({ grafanaUrl: config.dashboard.grafanaUrl });
  const app = createApp({
    ingestor,
    bus,
    metrics,
    limits: config.ingest,
    readKeys: config.read.apiKeys,
    logger,
    realtime,
    dashboard,
    history,
    deadLetters: createDeadLetterCounts({ bus, topic: config.bus.dlqTopic }),
    healthChecks,
  });
  const server = await serveHttp(
    { hostname: config.host, port: config.port, portVariable: "PORT" },
    app.fetch,
  );
  const { url } = server;
  logger.info("Edge listening", { url, bus: bus.kind });
  return {
    url,
    async shutdown() {
      await server.shutdown();
      await ingestor.close();
      logger.info("Edge stopped");
    },
  };
}
