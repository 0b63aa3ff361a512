/**
 * The archive job's Prometheus metrics (prom-client). Names carry the
 * `pipeline_archive_` prefix for the pins topic's archiver, and
 * `pipeline_archive_dlq_` for the dead-letter topic's.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The archive's metrics. */
export interface ArchiveMetrics {
  recordsArchived: Counter;
  objectsWritten: Counter;
  /** Bytes stored (gzip). */
  bytesWritten: Counter;
  /** NDJSON bytes before compression. */
  uncompressedBytes: Counter;
  uploadSeconds: Histogram;
  uploadFailures: Counter;
  bufferedRecords: Gauge;
  consumerLag: Gauge<"partition">;
  lastUploadTimestamp: Gauge;
}

/** Name prefix of the pins topic's archiver metrics. */
export const ARCHIVE_METRICS_PREFIX = "pipeline_archive_";

/** Name prefix of the dead-letter topic's archiver metrics (the same metrics). */
export const DLQ_ARCHIVE_METRICS_PREFIX = "pipeline_archive_dlq_";

/**
 * Registers the archive's metrics.
 *
 * @param registry The process's registry (see `createProcessRegistry`).
 * @param prefix The names' prefix: {@linkcode ARCHIVE_METRICS_PREFIX} (default) or
 *   {@linkcode DLQ_ARCHIVE_METRICS_PREFIX}.
 * @returns The metrics.
 */
export function createArchiveMetrics(
  registry: Registry,
  prefix: typeof ARCHIVE_METRICS_PREFIX | typeof DLQ_ARCHIVE_METRICS_PREFIX =
    ARCHIVE_METRICS_PREFIX,
): ArchiveMetrics {
  const registers = [registry];
  return {
    recordsArchived: new Counter({
      name: prefix + "records_total",
      help: "Records written to the archive (a replay after a crash counts again)",
      registers,
    }),
    objectsWritten: new Counter({
      name: prefix + "objects_written_total",
      help: "Objects (one gzip NDJSON file per partition, hour and flush) written",
      registers,
    }),
    bytesWritten: new Counter({
      name: prefix + "written_bytes_total",
      help: "Bytes written to the archive, compressed (what the objects weigh)",
      registers,
    }),
    uncompressedBytes: new Counter({
      name: prefix + "uncompressed_bytes_total",
      help: "NDJSON bytes archived, before compression",
      registers,
    }),
    uploadSeconds: new Histogram({
      name: prefix + "upload_duration_seconds",
      help: "Time to put one object, retries inside the S3 client included",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    uploadFailures: new Counter({
      name: prefix + "upload_failures_total",
      help: "Failed puts of objects or flush intents (each is retried)",
      registers,
    }),
    bufferedRecords: new Gauge({
      name: prefix + "buffered_records",
      help: "Records read from the bus and not yet archived",
      registers,
    }),
    consumerLag: new Gauge({
      name: prefix + "consumer_lag_records",
      help:
        "Records of a partition not yet archived: high watermark minus the next offset to commit",
      labelNames: ["partition"],
      registers,
    }),
    lastUploadTimestamp: new Gauge({
      name: prefix + "last_upload_timestamp_seconds",
      help: "When the last object was written, in seconds since the epoch",
      registers,
    }),
  };
}
