/**
 * `deno task services up|down|status [service...]`: starts, stops and lists
 * the real services (Kafka, Cassandra, S3Proxy, PostgreSQL, Prometheus, Trino) on
 * loopback. Servers outlive this command; `down` stops them.
 *
 * @module
 */

import process from "node:process";
import {
  DEFAULT_SERVICES,
  SERVICE_NAMES,
  type ServiceName,
  serviceStatus,
  startService,
  stopService,
  toServiceName,
} from "./services.ts";

const _USAGE = `Usage: deno task services <up|down|status> [service...]
  up      start the services and wait until they answer; none named: all but trino
  down    stop the services the harness started; none named: all
  status  list address, pid and state; none named: all
Services: ${SERVICE_NAMES.join(", ")}`;

async function _main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  let names: ServiceName[];
  try {
    const all = command === "up" || command === "start" ? DEFAULT_SERVICES : SERVICE_NAMES;
    names = rest.length === 0 ? [...all] : rest.map(toServiceName);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${_USAGE}`);
    return 2;
  }
  switch (command) {
    case "up":
    case "start":
      return await _up(names);
    case "down":
    case "stop":
      return await _down(names);
    case "status":
      return await _status(names);
    default:
      console.error(command === undefined ? _USAGE : `Unknown command '${command}'\n\n${_USAGE}`);
      return 2;
  }
}

async function _up(names: ServiceName[]): Promise<number> {
  const started = Date.now();
  const outcomes = await Promise.allSettled(names.map((name) =>
    startService(name, {
      onProgress: (message) => console.log(`${name.padEnd(10)} ${message}`),
    }).then((result) => {
      const note = {
        started: `started in ${_seconds(result.elapsedMs)}`,
        running: "already running",
        external: "already answering (not started by the harness, left alone)",
      }[result.state];
      const pid = result.pid === undefined ? "" : ` pid ${result.pid}`;
      console.log(`${name.padEnd(10)} up at ${result.address}${pid}: ${note}`);
      return result;
    })
  ));
  let failed = 0;
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "rejected") {
      failed++;
      console.error(`\n${names[index]} FAILED: ${(outcome.reason as Error).message}`);
    }
  });
  console.log(
    `services up: ${names.length - failed}/${names.length} in ${_seconds(Date.now() - started)}`,
  );
  return failed === 0 ? 0 : 1;
}

async function _down(names: ServiceName[]): Promise<number> {
  const results = await Promise.all(names.map(stopService));
  for (const result of results) {
    const note = {
      stopped: result.killed ? "stopped (SIGKILL after the grace period)" : "stopped",
      "not-running": "was not running",
      external: "not started by the harness, left running",
    }[result.state];
    console.log(`${result.name.padEnd(10)} ${note}`);
  }
  return 0;
}

async function _status(names: ServiceName[]): Promise<number> {
  const rows = await Promise.all(names.map(serviceStatus));
  const table = [
    ["SERVICE", "ADDRESS", "PID", "STATE"],
    ...rows.map((row) => [row.name, row.address, row.pid?.toString() ?? "-", row.state]),
  ];
  const widths = table[0]!.map((_, column) =>
    Math.max(...table.map((line) => line[column]!.length))
  );
  for (const line of table) {
    console.log(line.map((cell, column) => cell.padEnd(widths[column]!)).join("  ").trimEnd());
  }
  return 0;
}

function _seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// kafkajs 2.2.4 schedules a timer with a negative delay on every connection
// (tulios/kafkajs#1751); Deno reports it as a TimeoutNegativeWarning. Harmless,
// so the readiness probes' copies are dropped; any other warning is printed.
function _quietKafkajsTimerWarning(): void {
  process.removeAllListeners("warning");
  process.on("warning", (warning) => {
    if (warning.name !== "TimeoutNegativeWarning") {
      console.error(`${warning.name}: ${warning.message}`);
    }
  });
}

if (import.meta.main) {
  _quietKafkajsTimerWarning();
  Deno.exit(await _main(Deno.args));
}
