/**
 * `deno task schedule`: the daily catch-up batch on a cron schedule
 * (BATCH_SCHEDULE, UTC), with `/metrics` and `/health` on METRICS_PORT.
 *
 * @module
 */

import { openArchive } from "../lib/archive/mod.ts";
import { runBatch } from "../lib/batch/batch_runner.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { openHistory } from "../lib/history/mod.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { serveMetrics } from "../lib/runtime/metrics_server.ts";
import { createProcessRegistry } from "../lib/runtime/process_registry.ts";
import { createBatchMetrics } from "../lib/schedule/batch_metrics.ts";
import { startScheduler } from "../lib/schedule/scheduler.ts";
import { createShutdown } from "../lib/runtime/shutdown.ts";

await runMain({
  name: "schedule",
  summary: "The daily batch on a schedule: a catch-up at start, then on BATCH_SCHEDULE (UTC);\n" +
    "never two batches at once on a host. Serves /metrics and /health on METRICS_PORT.",
  env: ["common", "listen", "metrics", "archive", "history", "schedule"],
  examples: [
    "BATCH_SCHEDULE='0 2 * * *' METRICS_PORT=9103 deno task schedule",
  ],
}, async () => {
  const config = loadConfig();
  const logger = createLogger(config.log).child({ process: "schedule" });
  const shutdown = createShutdown(logger);
  const registry = createProcessRegistry();
  const store = await openArchive(config.archive, config.dataDir, logger);
  shutdown.add(() => store.close());
  const history = await openHistory(config.history, config.dataDir, logger);
  shutdown.add(() => history.close());
  const metrics = createBatchMetrics(registry);
  const last = await history.lastRun();
  if (last?.status === "succeeded") metrics.lastSuccess.set(last.finishedAt.getTime() / 1000);
  const scheduler = startScheduler({
    runCatchUp: () => runBatch({ store, history, logger }),
    dataDir: config.dataDir,
    cron: config.schedule.cron,
    metrics,
    logger,
  });
  shutdown.add(() => scheduler.stop());
  const server = await serveMetrics({
    port: config.metricsPort,
    hostname: config.host,
    registry,
    logger,
    health: async () => ({
      archive: { ok: true, detail: store.address },
      history: {
        ok: await history.yearsAvailable().then(() => true, () => false),
        detail: history.address,
      },
    }),
  });
  shutdown.add(() => server.shutdown());
});
