/**
 * The edge alone, for real deployments: `deno task edge`. Serves ingest, the
 * real-time views (DATABASE_URL), the batch views (CASSANDRA_CONTACT_POINTS)
 * and the dashboard.
 *
 * @module
 */

import { openBus } from "../lib/bus/mod.ts";
import { loadConfig } from "../lib/config.ts";
import { openHistory } from "../lib/history/mod.ts";
import { createLogger } from "../lib/logger.ts";
import { createProcessRegistry } from "../lib/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { onShutdown } from "../lib/shutdown.ts";
import { startEdge } from "./server.ts";

const config = loadConfig();
const logger = createLogger(config.log).child({ process: "edge" });
const bus = await openBus(config.bus, config.dataDir, logger);
const realtime = await openRealtime(config.realtime, config.dataDir);
const history = await openHistory(config.history, config.dataDir, logger);
const edge = await startEdge({
  config,
  bus,
  logger,
  registry: createProcessRegistry(),
  realtime,
  history,
});
onShutdown(logger, async () => {
  await edge.shutdown();
  await Promise.all([realtime.close(), history.close()]);
  await bus.close();
});
