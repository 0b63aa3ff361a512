/**
 * The edge alone, for real deployments: `deno task edge`. Serves ingest, the
 * real-time views (DATABASE_URL), the batch views (CASSANDRA_CONTACT_POINTS)
 * and the dashboard.
 *
 * @module
 */

import { openBus } from "../lib/bus/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { openHistory } from "../lib/history/mod.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { createProcessRegistry } from "../lib/runtime/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { createShutdown } from "../lib/runtime/shutdown.ts";
import { startEdge } from "./server.ts";

await runMain({
  name: "edge",
  summary: "The edge alone: ingest (POST /pin/, /pins), the real-time and batch views, the\n" +
    "dashboard, /metrics and /health on HOST:PORT. For real services; `deno task dev` runs it all.",
  env: ["common", "listen", "edge", "bus", "realtime", "history"],
  examples: [
    "KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://pipeline:pipeline@127.0.0.1:5432/pipeline \\\n" +
    "    CASSANDRA_CONTACT_POINTS=127.0.0.1:9042 PORT=8080 deno task edge",
  ],
}, async () => {
  const config = loadConfig();
  const logger = createLogger(config.log).child({ process: "edge" });
  const shutdown = createShutdown(logger);
  const bus = await openBus(config.bus, config.dataDir, logger);
  shutdown.add(() => bus.close());
  const realtime = await openRealtime(config.realtime, config.dataDir);
  shutdown.add(() => realtime.close());
  const history = await openHistory(config.history, config.dataDir, logger);
  shutdown.add(() => history.close());
  const edge = await startEdge({
    config,
    bus,
    logger,
    registry: createProcessRegistry(),
    realtime,
    history,
  });
  shutdown.add(() => edge.shutdown());
});
