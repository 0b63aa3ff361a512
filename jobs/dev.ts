/**
 * `deno task dev`: the whole pipeline in one process — edge, stream job,
 * archiver and batch scheduler — on embedded defaults (data under
 * PIPELINE_DATA_DIR, ./data by default). Setting a service's variables
 * (KAFKA_BROKERS, DATABASE_URL, S3_ENDPOINT, CASSANDRA_CONTACT_POINTS)
 * switches that port to the real service.
 *
 * @module
 */

import { startEdge } from "../edge/server.ts";
import {
  createArchiveMetrics,
  DLQ_ARCHIVE_METRICS_PREFIX,
} from "../lib/archive/archive_metrics.ts";
import { createArchiver } from "../lib/archive/archiver.ts";
import { archiverSettings, dlqArchiverSettings } from "../lib/archive/archiver_settings.ts";
import { openArchive } from "../lib/archive/mod.ts";
import { runBatch } from "../lib/batch/batch_runner.ts";
import { openBus, pipelineTopics } from "../lib/bus/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { openHistory } from "../lib/history/mod.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { createProcessRegistry } from "../lib/runtime/process_registry.ts";
import { openRealtime } from "../lib/realtime/mod.ts";
import { createBatchMetrics } from "../lib/schedule/batch_metrics.ts";
import { startScheduler } from "../lib/schedule/scheduler.ts";
import { startDevControl } from "../lib/schedule/dev_control.ts";
import { createShutdown } from "../lib/runtime/shutdown.ts";
import { startStreamJob, streamSettings } from "../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../lib/stream/stream_metrics.ts";
import { formatTable } from "../lib/runtime/table.ts";

await runMain({
  name: "dev",
  summary: "The whole pipeline in one process: edge, stream job, archiver and batch scheduler,\n" +
    "on embedded defaults under PIPELINE_DATA_DIR. A service's variables switch its port to it.",
  env: [
    "common",
    "listen",
    "edge",
    "bus",
    "realtime",
    "stream",
    "archive",
    "archiver",
    "history",
    "schedule",
  ],
  examples: [
    "deno task dev",
    "PORT=8080 PIPELINE_DATA_DIR=/tmp/pipeline deno task dev",
    "KAFKA_BROKERS=127.0.0.1:9092 deno task dev",
  ],
}, async () => {
  const config = loadConfig();
  const logger = createLogger(config.log).child({ process: "dev" });
  const shutdown = createShutdown(logger);
  const registry = createProcessRegistry();
  await Deno.mkdir(config.dataDir, { recursive: true });
  const bus = await openBus(config.bus, config.dataDir, logger);
  shutdown.add(() => bus.close());
  await bus.ensureTopics(pipelineTopics(config.bus));
  const realtime = await openRealtime(config.realtime, config.dataDir);
  shutdown.add(() => realtime.close());
  const archive = await openArchive(config.archive, config.dataDir, logger);
  shutdown.add(() => archive.close());
  const history = await openHistory(config.history, config.dataDir, logger);
  shutdown.add(() => history.close());
  const stream = await startStreamJob({
    bus,
    store: realtime,
    logger,
    metrics: createStreamMetrics(registry),
    ...streamSettings(config),
  });
  shutdown.add(() => stream.stop());
  const archiver = await createArchiver(
    { bus, store: archive, logger, metrics: createArchiveMetrics(registry) },
    archiverSettings(config),
  );
  shutdown.add(() => archiver.stop());
  const dlqArchiver = await createArchiver({
    bus,
    store: archive,
    logger,
    metrics: createArchiveMetrics(registry, DLQ_ARCHIVE_METRICS_PREFIX),
  }, dlqArchiverSettings(config));
  shutdown.add(() => dlqArchiver.stop());
  const batchMetrics = createBatchMetrics(registry);
  const lastRun = await history.lastRun();
  if (lastRun?.status === "succeeded") {
    batchMetrics.lastSuccess.set(lastRun.finishedAt.getTime() / 1000);
  }
  const scheduler = startScheduler({
    runCatchUp: () => runBatch({ store: archive, history, logger }),
    dataDir: config.dataDir,
    cron: config.schedule.cron,
    metrics: batchMetrics,
    logger,
  });
  shutdown.add(() => scheduler.stop());
  // Lets `deno task batch` and `deno task query` flush the archive and run the batch in here.
  const control = await startDevControl({
    dataDir: config.dataDir,
    archiver,
    scheduler,
    archive,
    history,
    logger,
  });
  shutdown.add(() => control.stop());
  // Started last, stopped first: the edge stops accepting before the jobs stop.
  const edge = await startEdge({
    config,
    bus,
    logger,
    registry,
    realtime,
    history,
    healthChecks: { stream: () => Promise.resolve({ kind: "stream", ...stream.health() }) },
  });
  shutdown.add(() => edge.shutdown());

  const mode = (real: boolean, name: string) => (real ? name : "embedded");
  // Before the first batch there is no year to show: no link that would answer 404.
  const years = await history.yearsAvailable();
  const batchViews = years.length > 0
    ? `${edge.url}/history/categories/top?year=${Math.max(...years)}`
    : `none yet, the batch fills them; runs: ${edge.url}/history/runs`;
  console.log(`
Pinterest Pipeline is running.

${
    formatTable(["what", "where"], [
      ["live dashboard", `${edge.url}/`],
      ["ingest", `POST ${edge.url}/pin/  and  POST ${edge.url}/pins`],
      ["real-time views", `${edge.url}/realtime/profiles/top?window=15m`],
      ["batch views", batchViews],
      ["health", `${edge.url}/health`],
      ["metrics", `${edge.url}/metrics`],
      ["API reference", `${edge.url}/docs`],
      ["API (OpenAPI)", `${edge.url}/openapi.json`],
      ...(config.dashboard.grafanaUrl ? [["Grafana", config.dashboard.grafanaUrl]] : []),
    ])
  }

${
    formatTable(["port", "mode", "address"], [
      ["bus", mode(bus.kind === "kafka", "Kafka"), bus.address],
      ["real-time", mode(realtime.kind === "postgres", "PostgreSQL"), realtime.address],
      ["archive", mode(archive.kind === "s3", "S3"), archive.address],
      ["history", mode(history.kind === "cassandra", "Cassandra"), history.address],
    ])
  }

Batch: daily at '${config.schedule.cron}' (UTC), and a catch-up now; archive flushes every ${config.archive.flushSeconds}s.
Try: deno task emulate --url ${edge.url}    Stop: Ctrl-C (nothing accepted is lost)
`);
});
