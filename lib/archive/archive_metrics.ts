/**
 * The archive job's Prometheus metrics (prom-client). Names carry the
 * `pipeline_archive_` prefix.
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

/**
 * Registers the archive's metrics.
 *
 * @param registry The process's registry (see `createProcessRegistry`).
 * @returns The metrics.
 */
export function createArchiveMetrics(registry: Registry): ArchiveMetrics {
  const registers = [registry];
  return {
    recordsArchived: new Counter({
      name: "pipeline_archive_records_total",
      help: "Records written to the archive (a replay after a crash counts again)",
      registers,
    }),
    objectsWritten: new Counter({
      name: "pipeline_archive_objects_written_total",
      help: "Objects (one gzip NDJSON file per partition, hour and flush) written",
      registers,
    }),
    bytesWritten: new Counter({
      name: "pipeline_archive_written_bytes_total",
      help: "Bytes written to the archive, compressed (what the objects weigh)",
      registers,
    }),
    uncompressedBytes: new Counter({
      name: "pipeline_archive_uncompressed_bytes_total",
      help: "NDJSON bytes archived, before compression",
      registers,
    }),
    uploadSeconds: new Histogram({
      name: "pipeline_archive_upload_duration_seconds",
      help: "Time to put one object, retries inside the S3 client included",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    uploadFailures: new Counter({
      name: "pipeline_archive_upload_failures_total",
      help: "Failed puts of objects or flush intents (each is retried)",
      registers,
    }),
    bufferedRecords: new Gauge({
      name: "pipeline_archive_buffered_records",
      help: "Records read from the bus and not yet archived",
      registers,
    }),
    consumerLag: new Gauge({
      name: "pipeline_archive_consumer_lag_records",
      help:
        "Records of a partition not yet archived: high watermark minus the next offset to commit",
      labelNames: ["partition"],
      registers,
    }),
    lastUploadTimestamp: new Gauge({
      name: "pipeline_archive_last_upload_timestamp_seconds",
      help: "When the last object was written, in seconds since the epoch",
      registers,
    }),
  };
}
