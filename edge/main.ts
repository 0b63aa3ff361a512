/**
 * The edge alone, for real deployments: `deno task edge`.
 *
 * @module
 */

import { openBus } from "../lib/bus/mod.ts";
import { loadConfig } from "../lib/config.ts";
import { createLogger } from "../lib/logger.ts";
import { createProcessRegistry } from "../lib/process_registry.ts";
import { onShutdown } from "../lib/shutdown.ts";
import { startEdge } from "./server.ts";

const config = loadConfig();
const logger = createLogger(config.log).child({ process: "edge" });
const bus = await openBus(config.bus, config.dataDir, logger);
const edge = await startEdge({ config, bus, logger, registry: createProcessRegistry() });
onShutdown(logger, async () => {
  await edge.shutdown();
  await bus.close();
});
