/**
 * `deno task archive`: archives the pins topic (consumer group `archive`)
 * into S3 (`S3_ENDPOINT` set) or a local directory, as gzip NDJSON per
 * partition and hour, and the dead-letter topic (group `archive-dlq`) under
 * `dlq/`; serves `/metrics` and `/health` on `METRICS_PORT`.
 * SIGTERM writes what it holds, commits, then exits.
 *
 * @module
 */

import {
  createArchiveMetrics,
  DLQ_ARCHIVE_METRICS_PREFIX,
} from "../lib/archive/archive_metrics.ts";
import { createArchiver } from "../lib/archive/archiver.ts";
import { archiverSettings, dlqArchiverSettings } from "../lib/archive/archiver_settings.ts";
import { openArchive } from "../lib/archive/mod.ts";
import { openBus, pipelineTopics } from "../lib/bus/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { serveMetrics } from "../lib/runtime/metrics_server.ts";
import { createProcessRegistry } from "../lib/runtime/process_registry.ts";
import { createShutdown } from "../lib/runtime/shutdown.ts";

await runMain({
  name: "archive",
  summary:
    "The Kafka → S3 archiver alone: consumes the pins topic (consumer group ARCHIVE_GROUP)\n" +
    "into gzip NDJSON objects per partition and hour, in S3 or a local directory, and the\n" +
    "dead-letter topic (group ARCHIVE_GROUP-dlq) the same way under dlq/.\n" +
    "Serves /metrics and /health on METRICS_PORT; SIGTERM writes what it holds, commits, exits.",
  env: ["common", "listen", "metrics", "bus", "archive", "archiver"],
  examples: [
    "KAFKA_BROKERS=127.0.0.1:9092 S3_ENDPOINT=http://127.0.0.1:9000 METRICS_PORT=9102 \\\n" +
    "    AWS_ACCESS_KEY_ID=pipeline AWS_SECRET_ACCESS_KEY=pipeline-secret deno task archive",
  ],
}, async () => {
  const config = loadConfig();
  const logger = createLogger(config.log).child({ process: "archive" });
  const shutdown = createShutdown(logger);
  const bus = await openBus(config.bus, config.dataDir, logger);
  shutdown.add(() => bus.close());
  await bus.ensureTopics(pipelineTopics(config.bus));
  const store = await openArchive(config.archive, config.dataDir, logger);
  shutdown.add(() => store.close());
  const registry = createProcessRegistry();
  const metrics = createArchiveMetrics(registry);
  const archiver = await createArchiver({ bus, store, logger, metrics }, archiverSettings(config));
  shutdown.add(() => archiver.stop());
  const dlqArchiver = await createArchiver(
    { bus, store, logger, metrics: createArchiveMetrics(registry, DLQ_ARCHIVE_METRICS_PREFIX) },
    dlqArchiverSettings(config),
  );
  shutdown.add(() => dlqArchiver.stop());
  const server = await serveMetrics({
    port: config.metricsPort,
    hostname: config.host,
    registry,
    logger,
    async health() {
      const busHealth = await bus.health();
      return {
        bus: { kind: bus.kind, ...busHealth },
        archive: { kind: store.kind, ...archiver.health() },
        archive_dlq: { kind: store.kind, ...dlqArchiver.health() },
      };
    },
  });
  shutdown.add(() => server.shutdown());
});
