/**
 * The edge app as deployed (validation, micro-batching, dead letters), on a
 * given bus and topics, with the fuzz case's clock stamping `received_at`.
 *
 * @module
 */

import { createApp } from "../../edge/app.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { createIngestor, type Ingestor } from "../../lib/ingest/ingest.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import type { Logger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { TEST_LIMITS } from "../fixtures/edge_harness.ts";

/** The app and its ingestor (close it to flush). */
export interface FuzzEdge {
  app: ReturnType<typeof createApp>;
  ingestor: Ingestor;
}

/**
 * Builds the edge with the test limits (5 MiB, 10,000 events per request).
 *
 * @param bus Where events and dead letters go.
 * @param topics The case's topics.
 * @param clock The case's clock, in epoch ms.
 * @param logger Where the edge logs (unexpected errors among them).
 * @returns The edge.
 */
export function createFuzzEdge(
  bus: Bus,
  topics: { pins: string; dlq: string },
  clock: () => number,
  logger: Logger,
): FuzzEdge {
  const ingestor = createIngestor({
    bus,
    pinsTopic: topics.pins,
    dlqTopic: topics.dlq,
    timeoutMs: 20_000,
    newId: createUuidV7(),
    now: () => new Date(clock()),
  });
  const metrics = createEdgeMetrics(createProcessRegistry());
  const app = createApp({ ingestor, bus, metrics, limits: TEST_LIMITS, logger, now: clock });
  return { app, ingestor };
}
