/**
 * Where the integration tests (and later processes) find the real services:
 * the harness's loopback defaults, each overridable by the environment
 * variable the pipeline itself reads.
 *
 * @module
 */

import { parseHostPort } from "./probe.ts";
import type { ServiceName } from "./service_definition.ts";

/** Addresses and credentials of the real services. */
export interface ServiceEndpoints {
  /** `KAFKA_BROKERS`, comma-separated `host:port` (default `127.0.0.1:9092`). */
  kafkaBrokers: string[];
  /** `CASSANDRA_CONTACT_POINTS`, comma-separated `host:port` (default `127.0.0.1:9042`). */
  cassandraContactPoints: string[];
  /** `CASSANDRA_LOCAL_DC` (default `datacenter1`, the SimpleSnitch data centre). */
  cassandraLocalDataCenter: string;
  /** `S3_ENDPOINT` (default `http://127.0.0.1:9000`), used path-style. */
  s3Endpoint: string;
  /** `AWS_REGION` (default `us-east-1`). */
  s3Region: string;
  /** `AWS_ACCESS_KEY_ID` (default `pipeline`, what the harness's S3Proxy accepts). */
  s3AccessKeyId: string;
  /** `AWS_SECRET_ACCESS_KEY` (default `pipeline-secret`). */
  s3SecretAccessKey: string;
  /** `DATABASE_URL` (default `postgres://pipeline:pipeline@127.0.0.1:5432/pipeline`). */
  databaseUrl: string;
  /** `PROMETHEUS_URL` (default `http://127.0.0.1:9090`). */
  prometheusUrl: string;
  /** `TRINO_URL` (default `http://127.0.0.1:8080`). */
  trinoUrl: string;
}

/**
 * Reads the service addresses from the environment, with the harness's defaults.
 *
 * @param env Where variables come from; `Deno.env` unless given.
 * @returns The addresses and credentials.
 */
export function serviceEndpoints(
  env: { get(name: string): string | undefined } = Deno.env,
): ServiceEndpoints {
  const read = (name: string, fallback: string) => {
    const value = env.get(name)?.trim();
    return value === undefined || value === "" ? fallback : value;
  };
  const list = (name: string, fallback: string) =>
    read(name, fallback).split(",").map((item) => item.trim()).filter((item) => item !== "");
  return {
    kafkaBrokers: list("KAFKA_BROKERS", "127.0.0.1:9092"),
    cassandraContactPoints: list("CASSANDRA_CONTACT_POINTS", "127.0.0.1:9042"),
    cassandraLocalDataCenter: read("CASSANDRA_LOCAL_DC", "datacenter1"),
    s3Endpoint: read("S3_ENDPOINT", "http://127.0.0.1:9000"),
    s3Region: read("AWS_REGION", "us-east-1"),
    s3AccessKeyId: read("AWS_ACCESS_KEY_ID", "pipeline"),
    s3SecretAccessKey: read("AWS_SECRET_ACCESS_KEY", "pipeline-secret"),
    databaseUrl: read("DATABASE_URL", "postgres://pipeline:pipeline@127.0.0.1:5432/pipeline"),
    prometheusUrl: read("PROMETHEUS_URL", "http://127.0.0.1:9090"),
    trinoUrl: read("TRINO_URL", "http://127.0.0.1:8080"),
  };
}

/**
 * The one address to probe to know whether a service is there.
 *
 * @param service The service.
 * @param endpoints The configured endpoints.
 * @returns The host and port (the first one where a list is configured).
 * @throws {Error} When the configured value has no usable host and port.
 */
export function probeAddress(
  service: ServiceName,
  endpoints: ServiceEndpoints = serviceEndpoints(),
): { host: string; port: number } {
  switch (service) {
    case "kafka":
      return parseHostPort(endpoints.kafkaBrokers[0] ?? "");
    case "cassandra":
      return parseHostPort(endpoints.cassandraContactPoints[0] ?? "");
    case "s3":
      return _urlHostPort(endpoints.s3Endpoint, "S3_ENDPOINT");
    case "postgres":
      return _urlHostPort(endpoints.databaseUrl, "DATABASE_URL", 5432);
    case "prometheus":
      return _urlHostPort(endpoints.prometheusUrl, "PROMETHEUS_URL");
    case "trino":
      return _urlHostPort(endpoints.trinoUrl, "TRINO_URL");
  }
}

function _urlHostPort(
  value: string,
  variable: string,
  defaultPort?: number,
): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new Error(`Cannot parse ${variable} as a URL: current value is '${value}'`, {
      cause: error,
    });
  }
  const port = url.port !== ""
    ? Number(url.port)
    : defaultPort ?? (url.protocol === "https:" ? 443 : 80);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port };
}
