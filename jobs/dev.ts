/**
 * `deno task dev`: the whole pipeline in one process, on embedded defaults
 * (data under PIPELINE_DATA_DIR, ./data by default). Setting a service's
 * variables (KAFKA_BROKERS, DATABASE_URL, ...) switches that port to the
 * real service.
 *
 * @module
 */

import { startEdge } from "../edge/server.ts";
import { openBus } from "../lib/bus/mod.ts";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { createProcessRegistry } from "../lib/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { onShutdown } from "../lib/shutdown.ts";
import { startStreamJob } from "../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../lib/stream/stream_metrics.ts";
import { formatTable } from "../lib/table.ts";

const config = loadConfig();
const logger = createLogger(config.log).child({ process: "dev" });
const registry = createProcessRegistry();
await Deno.mkdir(config.dataDir, { recursive: true });
const bus = await openBus(config.bus, config.dataDir, logger);
const realtime = await openRealtime(config.realtime, config.dataDir);
const edge = await startEdge({ config, bus, logger, registry, realtime });
const stream = await startStreamJob({
  bus,
  store: realtime,
  logger,
  metrics: createStreamMetrics(registry),
  topic: config.bus.pinsTopic,
  dlqTopic: config.bus.dlqTopic,
  batchRecords: config.realtime.batchRecords,
  dedupeRetentionDays: config.realtime.dedupeRetentionDays,
});

const mode = (real: boolean, name: string) => (real ? name : "embedded");
console.log(`
Pinterest Pipeline is running.

${
  formatTable(["what", "where"], [
    ["live dashboard", `${edge.url}/`],
    ["ingest", `POST ${edge.url}/pin/  and  POST ${edge.url}/pins`],
    ["real-time views", `${edge.url}/realtime/profiles/top?window=15m`],
    ["health", `${edge.url}/health`],
    ["metrics", `${edge.url}/metrics`],
    ["API (OpenAPI)", `${edge.url}/openapi.json`],
  ])
}

${
  formatTable(["port", "mode", "address"], [
    ["bus", mode(bus.kind === "kafka", "Kafka"), bus.address],
    ["real-time", mode(realtime.kind === "postgres", "PostgreSQL"), realtime.address],
  ])
}

Try: deno task emulate --url ${edge.url}    Stop: Ctrl-C (nothing accepted is lost)
`);

onShutdown(logger, async () => {
  await edge.shutdown();
  await stream.stop();
  await realtime.close();
  await bus.close();
});
