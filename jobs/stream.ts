/**
 * `deno task stream`: the real-time job alone (consumer group `realtime`),
 * with `/metrics` and `/health` on METRICS_PORT; `/health` is degraded while
 * the database or the bus does not answer, or a partition is stalled.
 *
 * @module
 */

import { openBus, pipelineTopics } from "../lib/bus/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { serveMetrics } from "../lib/runtime/metrics_server.ts";
import { createProcessRegistry } from "../lib/runtime/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { createShutdown } from "../lib/runtime/shutdown.ts";
import { startStreamJob, streamSettings } from "../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../lib/stream/stream_metrics.ts";

await runMain({
  name: "stream",
  summary: "The real-time job alone: consumes the pins topic (consumer group STREAM_GROUP),\n" +
    "cleans each event and applies minute aggregates to PostgreSQL exactly once. Serves\n" +
    "/metrics and /health on METRICS_PORT; SIGTERM commits what it holds, then exits.",
  env: ["common", "listen", "metrics", "bus", "realtime", "stream"],
  examples: [
    "KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://pipeline:pipeline@127.0.0.1:5432/pipeline \\\n" +
    "    METRICS_PORT=9101 deno task stream",
  ],
}, async () => {
  const config = loadConfig();
  const logger = createLogger(config.log).child({ process: "stream" });
  const shutdown = createShutdown(logger);
  const registry = createProcessRegistry();
  const bus = await openBus(config.bus, config.dataDir, logger);
  shutdown.add(() => bus.close());
  await bus.ensureTopics(pipelineTopics(config.bus));
  const store = await openRealtime(config.realtime, config.dataDir);
  shutdown.add(() => store.close());
  const job = await startStreamJob({
    bus,
    store,
    logger,
    metrics: createStreamMetrics(registry),
    ...streamSettings(config),
  });
  shutdown.add(() => job.stop());
  const server = await serveMetrics({
    port: config.metricsPort,
    hostname: config.host,
    registry,
    logger,
    health: async () => ({
      realtime: await store.health(),
      bus: await bus.health(),
      stream: job.health(),
    }),
  });
  shutdown.add(() => server.shutdown());
});
