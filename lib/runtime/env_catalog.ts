/**
 * What each environment variable means, in groups by the part of the
 * pipeline that reads it, so each task's `--help` lists the variables it
 * reads. The names and defaults are read from `loadConfig` itself (see
 * {@linkcode recordEnvReads}); a test keeps this catalog and `config.ts` in
 * step. The AWS credentials are read by the S3 SDK, not by `loadConfig`.
 *
 * @module
 */

/** Variable name → one-line meaning, per group. */
export const ENV_GROUPS = {
  common: {
    PIPELINE_DATA_DIR:
      "Where the embedded adapters keep their data; the batch lock; dev's control file",
    LOG_LEVEL: "debug, info, warn, error or silent; debug adds the stack to a failure",
    LOG_FORMAT: "json (one object per line on stderr) or pretty",
  },
  listen: {
    HOST: "Listen address",
  },
  edge: {
    PORT: "HTTP port of the edge",
    GRAFANA_URL:
      "Grafana's address as browsers reach it, linked from the dashboard; unset: no link",
    INGEST_API_KEYS: "Comma-separated write keys; unset: ingest is open",
    INGEST_RATE_LIMIT: "Events per second per key; 0: no limit",
    INGEST_MAX_EVENTS: "Events per POST /pins",
    INGEST_MAX_BYTES: "Bytes per request body, after decompression",
    INGEST_MAX_INFLIGHT_BYTES:
      "Bytes of request bodies held at once; past it, 503 with Retry-After",
    READ_API_KEYS: "Comma-separated keys of the read routes; unset: they are open",
    PRODUCE_TIMEOUT_MS: "How long a request waits for the bus before a 503",
  },
  metrics: {
    METRICS_PORT: "Port of /metrics and /health; 0: any free port, logged",
  },
  bus: {
    KAFKA_BROKERS: "Kafka brokers, host:port,...; unset: the embedded log",
    KAFKA_CLIENT_ID: "Kafka client id",
    PINS_TOPIC: "The events topic, created at start-up when missing",
    DLQ_TOPIC: "The dead-letter topic",
    PINS_PARTITIONS: "Partitions of a newly created events topic",
    BUS_RETENTION_HOURS:
      "Embedded log: consumed segments older than this are deleted, per partition; 0: no limit",
    BUS_RETENTION_BYTES:
      "Embedded log: consumed segments beyond this size are deleted, per partition; 0: no limit",
  },
  realtime: {
    DATABASE_URL: "PostgreSQL for the real-time views, postgres://...; unset: embedded PGlite",
    REALTIME_MINUTE_RETENTION_HOURS:
      "Minute aggregates are kept this long (default 48); longer windows read the roll-ups",
    REALTIME_HOUR_RETENTION_DAYS:
      "Hourly roll-ups of the aggregates are kept this long (default 35)",
    REALTIME_DAY_RETENTION_DAYS:
      "Daily roll-ups of the aggregates are kept this long (default 400)",
  },
  stream: {
    STREAM_GROUP: "Consumer group of the stream job; its offsets live in PostgreSQL",
    STREAM_BATCH_RECORDS: "Most records per stream transaction",
    DEDUPE_RETENTION_DAYS:
      "Days before today whose event ids still count as seen; older days' partitions are dropped",
    STREAM_STALL_SECONDS:
      "A partition with records waiting and no commit for this long is stalled: /health degraded",
  },
  archive: {
    S3_ENDPOINT: "S3-compatible endpoint, http(s)://..., path-style; unset: a local directory",
    S3_BUCKET: "Bucket of the archive, created when missing",
    AWS_REGION: "S3 region",
    AWS_ACCESS_KEY_ID: "S3 access key; unset: the SDK's default chain",
    AWS_SECRET_ACCESS_KEY: "S3 secret key; unset: the SDK's default chain",
  },
  archiver: {
    ARCHIVE_GROUP: "Consumer group of the archiver",
    ARCHIVE_FLUSH_SECONDS: "Age bound of a partition's buffer",
    ARCHIVE_FLUSH_BYTES: "Size bound of an object (uncompressed)",
    ARCHIVE_FLUSH_EVENTS: "Count bound of an object",
    ARCHIVE_MEMORY_BYTES: "Memory all partition buffers may hold",
  },
  history: {
    CASSANDRA_CONTACT_POINTS: "Cassandra for the batch views, host:port,...; unset: a DuckDB file",
    CASSANDRA_KEYSPACE: "Keyspace, created by migrations",
    CASSANDRA_LOCAL_DC: "Local data centre of the driver",
    CASSANDRA_REPLICATION: "Replication of a newly created keyspace",
  },
  schedule: {
    BATCH_SCHEDULE: "Cron expression (UTC) of the daily catch-up batch",
  },
} as const satisfies Record<string, Record<string, string>>;

/** A group of variables a task can declare it reads. */
export type EnvGroup = keyof typeof ENV_GROUPS;
