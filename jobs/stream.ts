/**
 * `deno task stream`: the real-time job alone (consumer group `realtime`),
 * with `/metrics` and `/health` on METRICS_PORT.
 *
 * @module
 */

import { openBus } from "../lib/bus/mod.ts";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { serveMetrics } from "../lib/metrics_server.ts";
import { createProcessRegistry } from "../lib/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { onShutdown } from "../lib/shutdown.ts";
import { startStreamJob } from "../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../lib/stream/stream_metrics.ts";

const config = loadConfig();
const logger = createLogger(config.log).child({ process: "stream" });
const registry = createProcessRegistry();
const bus = await openBus(config.bus, config.dataDir, logger);
await bus.ensureTopics([
  { name: config.bus.pinsTopic, partitions: config.bus.partitions },
  { name: config.bus.dlqTopic, partitions: 1 },
]);
const store = await openRealtime(config.realtime, config.dataDir);
const job = await startStreamJob({
  bus,
  store,
  logger,
  metrics: createStreamMetrics(registry),
  topic: config.bus.pinsTopic,
  dlqTopic: config.bus.dlqTopic,
  batchRecords: config.realtime.batchRecords,
  dedupeRetentionDays: config.realtime.dedupeRetentionDays,
});
const server = await serveMetrics({
  port: config.metricsPort,
  hostname: config.host,
  registry,
  logger,
  health: async () => ({ realtime: await store.health(), bus: await bus.health() }),
});
onShutdown(logger, async () => {
  await job.stop();
  await server.shutdown();
  await store.close();
  await bus.close();
});
