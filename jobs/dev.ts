/**
 * `deno task dev`: the whole pipeline in one process, on embedded defaults
 * (data under PIPELINE_DATA_DIR, ./data by default). Setting a service's
 * variables (KAFKA_BROKERS, ...) switches that port to the real service.
 *
 * @module
 */

import { startEdge } from "../edge/server.ts";
import { openBus } from "../lib/bus/mod.ts";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { onShutdown } from "../lib/shutdown.ts";
import { formatTable } from "../lib/table.ts";

const config = loadConfig();
const logger = createLogger(config.log).child({ process: "dev" });
await Deno.mkdir(config.dataDir, { recursive: true });
const bus = await openBus(config.bus, config.dataDir, logger);
const edge = await startEdge(config, bus, logger);

console.log(`
Pinterest Pipeline is running.

${
  formatTable(["what", "where"], [
    ["ingest", `POST ${edge.url}/pin/  and  POST ${edge.url}/pins`],
    ["health", `${edge.url}/health`],
    ["metrics", `${edge.url}/metrics`],
    ["API (OpenAPI)", `${edge.url}/openapi.json`],
  ])
}

${
  formatTable(["port", "mode", "address"], [
    ["bus", bus.kind === "kafka" ? "Kafka" : "embedded", bus.address],
  ])
}

Try: deno task emulate --url ${edge.url}    Stop: Ctrl-C (nothing accepted is lost)
`);

onShutdown(logger, async () => {
  await edge.shutdown();
  await bus.close();
});
