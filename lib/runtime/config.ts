/**
 * The pipeline's configuration, read once from the environment and
 * validated. Every variable is listed in README.md and `.env.example`.
 *
 * @module
 */

import {
  type Env,
  readAddresses,
  readChoice,
  readCron,
  readInt,
  readList,
  readString,
  readUrl,
} from "./env_vars.ts";
import { LOG_LEVELS, type LogFormat, type LogLevel } from "./logger.ts";

export { ConfigError } from "./env_vars.ts";

/** Where and how each process logs. */
export interface LogConfig {
  level: LogLevel;
  format: LogFormat;
}

/** The Kafka connection and topics; `brokers` empty selects the embedded bus. */
export interface BusConfig {
  brokers: string[];
  clientId: string;
  pinsTopic: string;
  dlqTopic: string;
  partitions: number;
  /** Embedded bus: hours a consumed segment is kept after its newest record; 0 keeps it forever. */
  retentionHours: number;
  /** Embedded bus: bytes per partition above which consumed segments go; 0 means no limit. */
  retentionBytes: number;
}

/** Limits and keys of the ingest edge. */
export interface IngestConfig {
  apiKeys: string[];
  /** Events per second allowed per key; 0 disables the limit. */
  rateLimit: number;
  maxEvents: number;
  /** Most bytes of one request body, after decompression. */
  maxBytes: number;
  /** Most bytes of request bodies held at once, across all connections. */
  maxInFlightBytes: number;
  produceTimeoutMs: number;
}

/** Keys of the read routes (dashboard, `/realtime`, `/history`); empty leaves them open. */
export interface ReadConfig {
  apiKeys: string[];
}

/** The real-time store; `databaseUrl` null selects embedded PGlite. */
export interface RealtimeConfig {
  databaseUrl: string | null;
  /** Consumer group of the stream job; its offsets live in the database under this name. */
  group: string;
  /** Most records per stream micro-batch (one transaction). */
  batchRecords: number;
  /** How long event ids are remembered for deduplication. */
  dedupeRetentionDays: number;
  /** How long minute aggregates are kept, in hours. */
  minuteRetentionHours: number;
  /** How long hourly roll-ups are kept, in days. */
  hourRetentionDays: number;
  /** How long daily roll-ups are kept, in days. */
  dayRetentionDays: number;
  /** How long a partition with records waiting may go without a commit before it counts as stalled. */
  stallSeconds: number;
}

/** The raw archive in S3, or a local directory with the same layout. */
export interface ArchiveConfig {
  /** S3 endpoint URL; null selects the local-directory adapter under the data directory. */
  endpoint: string | null;
  bucket: string;
  /** Consumer group of the archiver. */
  group: string;
  region: string;
  flushSeconds: number;
  flushBytes: number;
  flushEvents: number;
  /** Memory all partition buffers of one archiver may hold. */
  memoryBytes: number;
}

/** The historical store; empty `contactPoints` selects the embedded adapter. */
export interface HistoryConfig {
  contactPoints: string[];
  keyspace: string;
  localDataCenter: string;
  /** Replication map for the keyspace, e.g. `{'class': 'SimpleStrategy', 'replication_factor': 1}`. */
  replication: string;
}

/** The daily batch schedule. */
export interface ScheduleConfig {
  /** Cron expression (UTC) of the daily catch-up batch. */
  cron: string;
}

/** What the edge's dashboard links to. */
export interface DashboardConfig {
  /** Grafana's address as a browser reaches it; null: the dashboard shows no Grafana link. */
  grafanaUrl: string | null;
}

/** Everything a pipeline process reads from its environment. */
export interface Config {
  host: string;
  port: number;
  /** Port of the `/metrics` server of job processes (stream, archive, schedule); 0 picks a free one. */
  metricsPort: number;
  dataDir: string;
  log: LogConfig;
  bus: BusConfig;
  ingest: IngestConfig;
  read: ReadConfig;
  realtime: RealtimeConfig;
  archive: ArchiveConfig;
  history: HistoryConfig;
  schedule: ScheduleConfig;
  dashboard: DashboardConfig;
}

const MIB = 1024 * 1024;

/**
 * Reads and validates the configuration.
 *
 * @param env The environment; defaults to the process's own.
 * @returns The typed configuration with defaults filled in.
 * @throws {ConfigError} Naming the first variable whose value cannot be used.
 */
export function loadConfig(env: Env = Deno.env.toObject()): Config {
  const maxBytes = readInt(env, "INGEST_MAX_BYTES", 5 * MIB, 1024, 1024 * MIB);
  return {
    host: readString(env, "HOST", "0.0.0.0"),
    port: readInt(env, "PORT", 8000, 0, 65535),
    metricsPort: readInt(env, "METRICS_PORT", 0, 0, 65535),
    dataDir: readString(env, "PIPELINE_DATA_DIR", "./data"),
    log: {
      level: readChoice(env, "LOG_LEVEL", "info", LOG_LEVELS),
      format: readChoice(env, "LOG_FORMAT", "json", ["json", "pretty"] as const),
    },
    bus: {
      brokers: readAddresses(env, "KAFKA_BROKERS"),
      clientId: readString(env, "KAFKA_CLIENT_ID", "pinterest-pipeline"),
      pinsTopic: readString(env, "PINS_TOPIC", "pins"),
      dlqTopic: readString(env, "DLQ_TOPIC", "pins.dlq"),
      partitions: readInt(env, "PINS_PARTITIONS", 6, 1, 1024),
      retentionHours: readInt(env, "BUS_RETENTION_HOURS", 168, 0, 1_000_000),
      retentionBytes: readInt(env, "BUS_RETENTION_BYTES", 1024 * MIB, 0, 2 ** 50),
    },
    ingest: {
      apiKeys: readList(env, "INGEST_API_KEYS"),
      rateLimit: readInt(env, "INGEST_RATE_LIMIT", 0, 0, 10_000_000),
      maxEvents: readInt(env, "INGEST_MAX_EVENTS", 10_000, 1, 1_000_000),
      maxBytes,
      maxInFlightBytes: readInt(
        env,
        "INGEST_MAX_INFLIGHT_BYTES",
        Math.max(16 * MIB, maxBytes),
        maxBytes,
        64 * 1024 * MIB,
      ),
      produceTimeoutMs: readInt(env, "PRODUCE_TIMEOUT_MS", 5000, 100, 120_000),
    },
    read: { apiKeys: readList(env, "READ_API_KEYS") },
    realtime: {
      databaseUrl: readUrl(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
      group: readString(env, "STREAM_GROUP", "realtime"),
      batchRecords: readInt(env, "STREAM_BATCH_RECORDS", 5000, 1, 100_000),
      dedupeRetentionDays: readInt(env, "DEDUPE_RETENTION_DAYS", 7, 1, 365),
      minuteRetentionHours: readInt(env, "REALTIME_MINUTE_RETENTION_HOURS", 48, 1, 8760),
      hourRetentionDays: readInt(env, "REALTIME_HOUR_RETENTION_DAYS", 35, 1, 3650),
      dayRetentionDays: readInt(env, "REALTIME_DAY_RETENTION_DAYS", 400, 1, 36500),
      stallSeconds: readInt(env, "STREAM_STALL_SECONDS", 60, 1, 86_400),
    },
    archive: {
      endpoint: readUrl(env, "S3_ENDPOINT", ["http:", "https:"]),
      bucket: readString(env, "S3_BUCKET", "pinterest-pipeline"),
      group: readString(env, "ARCHIVE_GROUP", "archive"),
      region: readString(env, "AWS_REGION", "us-east-1"),
      flushSeconds: readInt(env, "ARCHIVE_FLUSH_SECONDS", 60, 1, 86_400),
      flushBytes: readInt(env, "ARCHIVE_FLUSH_BYTES", 64 * MIB, 1024, 4096 * MIB),
      flushEvents: readInt(env, "ARCHIVE_FLUSH_EVENTS", 500_000, 1, 100_000_000),
      memoryBytes: readInt(env, "ARCHIVE_MEMORY_BYTES", 256 * MIB, 16 * MIB, 64 * 1024 * MIB),
    },
    history: {
      contactPoints: readAddresses(env, "CASSANDRA_CONTACT_POINTS"),
      keyspace: readString(env, "CASSANDRA_KEYSPACE", "pinterest"),
      localDataCenter: readString(env, "CASSANDRA_LOCAL_DC", "datacenter1"),
      replication: readString(
        env,
        "CASSANDRA_REPLICATION",
        "{'class': 'SimpleStrategy', 'replication_factor': 1}",
      ),
    },
    schedule: {
      cron: readCron(env, "BATCH_SCHEDULE", "30 1 * * *"),
    },
    dashboard: {
      grafanaUrl: readUrl(env, "GRAFANA_URL", ["http:", "https:"]),
    },
  };
}
