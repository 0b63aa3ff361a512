/**
 * Starts, stops and reports the real services the integration tests use.
 * Fault tests import {@linkcode startService} and {@linkcode stopService} to
 * take a server down and bring it back.
 *
 * @module
 */

import { cassandraService } from "./cassandra.ts";
import { kafkaService } from "./kafka.ts";
import { servicePaths, SERVICES_HOME } from "./paths.ts";
import { postgresService } from "./postgres.ts";
import { delay } from "../../lib/runtime/async.ts";
import { probeTcp } from "./probe.ts";
import {
  isHarnessProcess,
  logTail,
  readPidFile,
  spawnDetached,
  stopProcess,
} from "./process_control.ts";
import { prometheusService } from "./prometheus.ts";
import { s3Service } from "./s3.ts";
import { trinoService } from "./trino.ts";
import {
  DEFAULT_SERVICES,
  type ProgressListener,
  SERVICE_NAMES,
  type ServiceDefinition,
  type ServiceName,
} from "./service_definition.ts";

export { DEFAULT_SERVICES, SERVICE_NAMES };
export type { ServiceName };

const _DEFINITIONS: Record<ServiceName, ServiceDefinition> = {
  kafka: kafkaService,
  cassandra: cassandraService,
  s3: s3Service,
  postgres: postgresService,
  prometheus: prometheusService,
  trino: trinoService,
};

/** What {@linkcode startService} did. */
export interface StartResult {
  name: ServiceName;
  /** `started` by this call, `running` already (started by the harness), or `external` (something else answers on the port, left alone). */
  state: "started" | "running" | "external";
  address: string;
  pid?: number;
  /** How long the call took, downloads and readiness included. */
  elapsedMs: number;
}

/** What {@linkcode stopService} did. */
export interface StopResult {
  name: ServiceName;
  /** `stopped` by this call, `not-running`, or `external` (not the harness's process, left alone). */
  state: "stopped" | "not-running" | "external";
  /** Whether SIGKILL was needed after the grace period. */
  killed: boolean;
}

/** One row of {@linkcode serviceStatus}. */
export interface StatusRow {
  name: ServiceName;
  address: string;
  pid?: number;
  /** `up`; `starting` (process alive, port closed); `external` (port answers, not ours); `down`. */
  state: "up" | "starting" | "external" | "down";
}

/**
 * Parses a service name.
 *
 * @param name A name given by a user.
 * @returns The name, typed.
 * @throws {Error} When the harness has no such service.
 */
export function toServiceName(name: string): ServiceName {
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new Error(`Unknown service '${name}': expected one of ${SERVICE_NAMES.join(", ")}`);
}

/**
 * Starts a service unless it already runs, and waits until it answers a
 * real client request. Idempotent: a running service is reported, not
 * started twice; a port answered by something else is left alone.
 *
 * @param name The service.
 * @param options `onProgress` hears about downloads, installs and initialisation.
 * @returns What happened, with the pid and the elapsed time.
 * @throws {Error} When the server exits or is not ready in time; the message ends with the tail of its log.
 */
export async function startService(
  name: ServiceName,
  options: { onProgress?: ProgressListener } = {},
): Promise<StartResult> {
  const started = Date.now();
  const definition = _DEFINITIONS[name];
  const onProgress = options.onProgress ?? (() => {});
  const paths = servicePaths(name);
  const address = `${definition.host}:${definition.port}`;
  const result = (state: StartResult["state"], pid?: number): StartResult => ({
    name,
    state,
    address,
    pid,
    elapsedMs: Date.now() - started,
  });

  const existing = await readPidFile(paths.pid);
  if (existing !== undefined && (await isHarnessProcess(existing))) {
    await _waitReady(definition, existing, paths.log, 0);
    return result("running", existing);
  }
  if (await probeTcp(definition.host, definition.port, 500)) return result("external");

  await Deno.mkdir(`${SERVICES_HOME}/logs`, { recursive: true });
  await Deno.mkdir(`${SERVICES_HOME}/run`, { recursive: true });
  const plan = await definition.prepare(onProgress);
  await Deno.writeTextFile(paths.log, `\n=== harness start ${new Date().toISOString()} ===\n`, {
    append: true,
  });
  const logStart = (await Deno.stat(paths.log)).size;
  const pid = await spawnDetached(plan, paths.pid, paths.log);
  await _waitReady(definition, pid, paths.log, logStart);
  await definition.afterReady?.(onProgress);
  return result("started", pid);
}

/**
 * Stops a service the harness started, by its pid file: its clean-shutdown
 * signal first, SIGKILL after the grace period. Never touches a process the
 * harness did not start.
 *
 * @param name The service.
 * @returns What happened.
 */
export async function stopService(name: ServiceName): Promise<StopResult> {
  const definition = _DEFINITIONS[name];
  const { pid: pidFile } = servicePaths(name);
  const pid = await readPidFile(pidFile);
  if (pid !== undefined && (await isHarnessProcess(pid))) {
    const killed = await stopProcess(pid, definition.stopSignal, definition.stopGraceMs);
    await Deno.remove(pidFile).catch(() => {});
    return { name, state: "stopped", killed };
  }
  await Deno.remove(pidFile).catch(() => {});
  const answering = await probeTcp(definition.host, definition.port, 500);
  return { name, state: answering ? "external" : "not-running", killed: false };
}

/**
 * Reports whether a service runs, from its pid file and a TCP probe.
 *
 * @param name The service.
 * @returns Its address, pid and state.
 */
export async function serviceStatus(name: ServiceName): Promise<StatusRow> {
  const definition = _DEFINITIONS[name];
  const address = `${definition.host}:${definition.port}`;
  const pid = await readPidFile(servicePaths(name).pid);
  const ours = pid !== undefined && (await isHarnessProcess(pid));
  const answering = await probeTcp(definition.host, definition.port, 500);
  if (ours) return { name, address, pid, state: answering ? "up" : "starting" };
  return { name, address, state: answering ? "external" : "down" };
}

async function _waitReady(
  definition: ServiceDefinition,
  pid: number,
  logFile: string,
  logStart: number,
): Promise<void> {
  const deadline = Date.now() + definition.readyTimeoutMs;
  while (true) {
    if (await definition.isReady()) return;
    if (!(await isHarnessProcess(pid))) {
      throw new Error(
        `Cannot start ${definition.name}: the server (pid ${pid}) exited before it was ready; ` +
          `last lines of ${logFile}:\n${await logTail(logFile, logStart)}`,
      );
    }
    if (Date.now() > deadline) {
      await stopProcess(pid, "SIGKILL", 5000);
      throw new Error(
        `Cannot start ${definition.name}: not ready at ${definition.host}:${definition.port} ` +
          `within ${definition.readyTimeoutMs / 1000} s, so it was killed; ` +
          `last lines of ${logFile}:\n${await logTail(logFile, logStart)}`,
      );
    }
    await delay(250);
  }
}
