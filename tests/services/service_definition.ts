/**
 * The shape every real service of the harness has.
 *
 * @module
 */

import type { LaunchPlan } from "./process_control.ts";

/** The services the harness can start. */
export const SERVICE_NAMES = [
  "kafka",
  "cassandra",
  "s3",
  "postgres",
  "prometheus",
  "trino",
] as const;

/**
 * What `deno task services up` starts when no service is named: all but Trino,
 * whose 820 MB download and two-minute first start only its users should pay.
 */
export const DEFAULT_SERVICES: readonly ServiceName[] = SERVICE_NAMES.filter((name) =>
  name !== "trino"
);

/** One of {@linkcode SERVICE_NAMES}. */
export type ServiceName = typeof SERVICE_NAMES[number];

/** Receives progress notes (downloads, installs) while a service starts. */
export type ProgressListener = (message: string) => void;

/** How the harness prepares, launches, probes and stops one server. */
export interface ServiceDefinition {
  /** The service's name. */
  name: ServiceName;
  /** The loopback host it listens on. */
  host: string;
  /** The port clients use. */
  port: number;
  /** Downloads or installs what is missing, writes config, initialises data; returns what to launch. */
  prepare(onProgress: ProgressListener): Promise<LaunchPlan>;
  /** Whether the server answers a real client request (each call is bounded in time). */
  isReady(): Promise<boolean>;
  /** One-off setup once ready (users, databases); must be idempotent. */
  afterReady?(onProgress: ProgressListener): Promise<void>;
  /** How long to wait for {@linkcode ServiceDefinition.isReady}. */
  readyTimeoutMs: number;
  /** The signal that shuts the server down cleanly. */
  stopSignal: Deno.Signal;
  /** How long the server gets to exit before SIGKILL. */
  stopGraceMs: number;
}
