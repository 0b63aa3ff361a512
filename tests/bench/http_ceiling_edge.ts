/**
 * The edge app exactly as served, but on a bus that acknowledges at once:
 * the HTTP ceiling the ingest benchmark compares against. Not a product
 * process; it exists only for `deno task bench:ingest`.
 *
 * @module
 */

import { createApp } from "../../edge/app.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { loadConfig } from "../../lib/runtime/config.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";

const config = loadConfig();
const instant: Bus = {
  kind: "embedded",
  address: "nowhere (producing disabled)",
  ensureTopics: () => Promise.resolve(),
  produce: () => Promise.resolve(),
  offsets: () => Promise.resolve([]),
  read: () => Promise.resolve(),
  consume: () => Promise.reject(new Error("Not a consumer")),
  groupPositions: () => Promise.resolve([]),
  health: () => Promise.resolve({ ok: true, detail: "producing disabled" }),
  close: () => Promise.resolve(),
};
const metrics = createEdgeMetrics(createProcessRegistry());
const ingestor = createIngestor({
  bus: instant,
  pinsTopic: "pins",
  dlqTopic: "pins.dlq",
  timeoutMs: config.ingest.produceTimeoutMs,
  newId: createUuidV7(),
});
const logger = createLogger({ level: "error" });
const app = createApp({ ingestor, bus: instant, metrics, limits: config.ingest, logger });
Deno.serve({ hostname: "127.0.0.1", port: config.port, onListen: () => {} }, app.fetch);
