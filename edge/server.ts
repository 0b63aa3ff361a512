/**
 * Starts the edge on a bus: topics, ingestor, metrics, app, and an HTTP
 * server that shuts down without losing what it accepted.
 *
 * @module
 */

import type { Bus } from "../lib/bus/bus.ts";
import type { Config } from "../lib/config.ts";
import { createEdgeMetrics } from "../lib/edge_metrics.ts";
import { createIngestor } from "../lib/ingest.ts";
import type { Logger } from "../lib/logger.ts";
import { createUuidV7 } from "../lib/uuid_v7.ts";
import { createApp } from "./app.ts";

/** A running edge. */
export interface RunningEdge {
  url: string;
  /** Stops accepting, answers what is in flight, flushes to the bus. The bus stays open. */
  shutdown(): Promise<void>;
}

/**
 * Starts the edge.
 *
 * @param config The configuration (host, port, topics, ingest limits).
 * @param bus The bus to publish to; its topics are created when missing.
 * @param logger The logger.
 * @returns The running edge.
 */
export async function startEdge(config: Config, bus: Bus, logger: Logger): Promise<RunningEdge> {
  await bus.ensureTopics([
    { name: config.bus.pinsTopic, partitions: config.bus.partitions },
    { name: config.bus.dlqTopic, partitions: 1 },
  ]);
  let ingestorRef: { inFlightBytes(): number } | null = null;
  const metrics = createEdgeMetrics(() => ingestorRef?.inFlightBytes() ?? 0);
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
  const app = createApp({ ingestor, bus, metrics, limits: config.ingest, logger });
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: resolve,
  }, app.fetch);
  const address = await listening;
  const host = address.hostname === "0.0.0.0" ? "localhost" : address.hostname;
  const url = `http://${host}:${address.port}`;
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
