/**
 * Starting servers as detached child processes with a pid file and a log
 * file, checking whether they still run, and stopping them.
 *
 * @module
 */

import { SERVICES_HOME } from "./paths.ts";
import { delay } from "../../lib/runtime/async.ts";

/** What to launch: the program and its arguments, plus extra environment. */
export interface LaunchPlan {
  /** Program first, then its arguments. */
  argv: string[];
  /** Variables added to the harness's own environment. */
  env?: Record<string, string>;
  /** Working folder; the repository root when absent. */
  cwd?: string;
}

// The shell records its own pid, then becomes the server (exec keeps the pid),
// with stdout and stderr appended to the log file.
const _LAUNCH_SCRIPT = 'echo $$ > "$1"; log="$2"; shift 2; exec "$@" >> "$log" 2>&1 < /dev/null';

/**
 * Starts a program in its own session so that it outlives the caller, with
 * its output appended to `logFile` and its pid written to `pidFile`.
 *
 * @param plan What to run.
 * @param pidFile Where the pid of the server is written.
 * @param logFile Where the server's stdout and stderr go.
 * @returns The pid of the started server.
 * @throws {Error} When the pid file does not appear within 5 s.
 */
export async function spawnDetached(
  plan: LaunchPlan,
  pidFile: string,
  logFile: string,
): Promise<number> {
  await Deno.remove(pidFile).catch(() => {});
  const launcher = new Deno.Command("setsid", {
    args: ["-f", "sh", "-c", _LAUNCH_SCRIPT, "sh", pidFile, logFile, ...plan.argv],
    env: plan.env,
    cwd: plan.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  });
  const { success, stderr } = await launcher.output();
  if (!success) {
    throw new Error(
      `Cannot launch '${plan.argv[0]}': setsid failed with ${new TextDecoder().decode(stderr)}`,
    );
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const pid = await readPidFile(pidFile);
    if (pid !== undefined) return pid;
    await delay(20);
  }
  throw new Error(`Cannot launch '${plan.argv[0]}': no pid file appeared at ${pidFile}`);
}

/**
 * Reads a pid file.
 *
 * @param pidFile The file's path.
 * @returns The pid, or `undefined` when the file is missing or not a number.
 */
export async function readPidFile(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await Deno.readTextFile(pidFile)).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is a live process that this harness started: it exists, is
 * no zombie, and its command line mentions the harness's `.services` folder
 * (so a recycled pid of an unrelated process never counts).
 *
 * @param pid The process id.
 * @returns `true` when the process runs and belongs to the harness.
 */
export async function isHarnessProcess(pid: number): Promise<boolean> {
  // `ps`, not /proc: Deno only lets --allow-all code read /proc/<pid>/*.
  const output = await new Deno.Command("ps", {
    args: ["-ww", "-o", "stat=", "-o", "args=", "-p", String(pid)],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  if (!output.success) return false;
  const line = new TextDecoder().decode(output.stdout).trim();
  if (line.startsWith("Z") || line.startsWith("X")) return false;
  return line.includes(SERVICES_HOME);
}

/**
 * Stops a process: `signal` first, then SIGKILL when it is still running
 * after `graceMs`.
 *
 * @param pid The process id.
 * @param signal The polite signal (SIGTERM for most servers).
 * @param graceMs How long to wait for the polite signal to work.
 * @returns `true` when SIGKILL was needed.
 */
export async function stopProcess(
  pid: number,
  signal: Deno.Signal = "SIGTERM",
  graceMs = 20_000,
): Promise<boolean> {
  try {
    Deno.kill(pid, signal);
  } catch {
    return false;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isHarnessProcess(pid))) return false;
    await delay(100);
  }
  try {
    Deno.kill(pid, "SIGKILL");
  } catch {
    return true;
  }
  while (await isHarnessProcess(pid)) await delay(50);
  return true;
}

/**
 * The last lines of a log file written after byte `fromByte`.
 *
 * @param logFile The log's path.
 * @param fromByte Where this run's output starts (the file's size before it).
 * @param lines How many lines to keep.
 * @returns The text, or a note that the log is empty or missing.
 */
export async function logTail(logFile: string, fromByte = 0, lines = 40): Promise<string> {
  try {
    const bytes = await Deno.readFile(logFile);
    const text = new TextDecoder().decode(bytes.subarray(fromByte)).trimEnd();
    if (text === "") return `(${logFile} is empty)`;
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return `(no log at ${logFile})`;
  }
}

/**
 * Runs a command to completion and returns its stdout.
 *
 * @param argv Program first, then its arguments.
 * @param options Extra environment and working folder.
 * @returns The command's stdout.
 * @throws {Error} When the command exits non-zero; the message ends with its output.
 */
export async function runCommand(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<string> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error("Cannot run a command: the argument list is empty");
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(program, {
      args,
      env: options.env,
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`Cannot run '${program}': ${(error as Error).message}`, { cause: error });
  }
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  if (!output.success) {
    const both = `${stdout}\n${decoder.decode(output.stderr)}`.trim().split("\n").slice(-30);
    throw new Error(
      `Command failed with exit code ${output.code}: ${argv.join(" ")}\n${both.join("\n")}`,
    );
  }
  return stdout;
}

/**
 * Whether a program can be found on PATH.
 *
 * @param program The program's name.
 * @returns Its absolute path, or `undefined`.
 */
export async function which(program: string): Promise<string | undefined> {
  try {
    const path = (await runCommand(["sh", "-c", 'command -v "$1"', "sh", program])).trim();
    return path === "" ? undefined : path;
  } catch {
    return undefined;
  }
}
