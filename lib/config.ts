/**
 * The pipeline's configuration, read once from the environment and
 * validated. Every variable is listed in README.md and `.env.example`.
 *
 * @module
 */

import { type Env, readAddresses, readChoice, readInt, readList, readString } from "./env_vars.ts";
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
}

/** Limits and keys of the ingest edge. */
export interface IngestConfig {
  apiKeys: string[];
  /** Events per second allowed per key; 0 disables the limit. */
  rateLimit: number;
  maxEvents: number;
  maxBytes: number;
  produceTimeoutMs: number;
}

/** Everything a pipeline process reads from its environment. */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  log: LogConfig;
  bus: BusConfig;
  ingest: IngestConfig;
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
  return {
    host: readString(env, "HOST", "0.0.0.0"),
    port: readInt(env, "PORT", 8000, 0, 65535),
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
    },
    ingest: {
      apiKeys: readList(env, "INGEST_API_KEYS"),
      rateLimit: readInt(env, "INGEST_RATE_LIMIT", 0, 0, 10_000_000),
      maxEvents: readInt(env, "INGEST_MAX_EVENTS", 10_000, 1, 1_000_000),
      maxBytes: readInt(env, "INGEST_MAX_BYTES", 5 * MIB, 1024, 1024 * MIB),
      produceTimeoutMs: readInt(env, "PRODUCE_TIMEOUT_MS", 5000, 100, 120_000),
    },
  };
}
