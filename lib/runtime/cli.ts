/**
 * The command line of every task: a task declares its flags, its argument,
 * the environment it reads and examples (see {@linkcode TaskSpec});
 * {@linkcode runMain} parses the arguments, prints `--help` without starting
 * anything, and turns a failure into one line on stderr and an exit code —
 * 2 for a usage error, 1 for anything else — with the stack only under
 * `LOG_LEVEL=debug`.
 *
 * @module
 */

import { type Flags, parseTaskArgs, type TaskArgs, type TaskSpec, UsageError } from "./cli_args.ts";
import { formatHelp } from "./cli_help.ts";
import { ConfigError, type Env } from "./env_vars.ts";

export { type FlagSpec, parseTaskArgs, type TaskSpec, UsageError } from "./cli_args.ts";

/**
 * The one line a failed task prints: the task, the error's message, and the
 * variable at fault when the message does not name it already.
 *
 * @param task The task's name.
 * @param error What was thrown.
 * @returns E.g. `stream: Cannot connect to Kafka at 127.0.0.1:1: ... (KAFKA_BROKERS)`.
 */
export function failureLine(task: string, error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
  const variable = error instanceof ConfigError && !message?.includes(error.variable)
    ? ` (${error.variable})`
    : "";
  return `${task}: ${message}${variable}`;
}

/** Where {@linkcode runMain} reads its input and writes; the process's own by default. */
export interface MainIo {
  args: readonly string[];
  env: Env;
  stdout(text: string): void;
  stderr(text: string): void;
  exit(code: number): void;
}

function _writer(file: { writeSync(bytes: Uint8Array): number }) {
  return (text: string) => {
    let bytes = new TextEncoder().encode(text.endsWith("\n") ? text : `${text}\n`);
    while (bytes.length > 0) bytes = bytes.subarray(file.writeSync(bytes));
  };
}

function _stacks(error: unknown, write: (text: string) => void): void {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    write(`${depth === 0 ? "" : "Caused by: "}${cause.stack ?? cause.message}`);
    cause = cause.cause;
  }
}

/**
 * The process's own arguments, environment, streams and exit.
 *
 * @returns What {@linkcode runMain} uses when given nothing else.
 */
export function processIo(): MainIo {
  return {
    args: Deno.args,
    env: Deno.env.toObject(),
    stdout: _writer(Deno.stdout),
    stderr: _writer(Deno.stderr),
    exit: (code) => Deno.exit(code),
  };
}

/**
 * Runs a task: `--help` prints the help and exits 0; otherwise `main` runs
 * with the parsed command line. A number it returns is the exit code; when
 * it returns nothing (a service that is now running) the process goes on.
 * What it throws is printed as one line, then the process exits 2 for a
 * {@linkcode UsageError}, 1 for anything else.
 *
 * @param spec The task's description.
 * @param main Starts the task.
 * @param io The process's arguments, environment and streams (tests pass their own).
 * @example
 * ```ts
 * await runMain({ name: "stream", summary: "The real-time job", env: ["bus"] }, async () => {
 *   const config = loadConfig();
 *   // ...start, register shutdown steps
 * });
 * ```
 */
export async function runMain<F extends Flags>(
  spec: TaskSpec<F>,
  main: (args: TaskArgs<F>) => Promise<number | void>,
  io: MainIo = processIo(),
): Promise<void> {
  let code: number | void;
  try {
    const parsed = parseTaskArgs(spec, io.args, io.env);
    if (parsed === "help") {
      io.stdout(formatHelp(spec));
      code = 0;
    } else {
      code = await main(parsed);
    }
  } catch (error) {
    io.stderr(failureLine(spec.name, error));
    if (io.env.LOG_LEVEL?.trim().toLowerCase() === "debug") _stacks(error, io.stderr);
    code = error instanceof UsageError ? 2 : 1;
  }
  if (code !== undefined) io.exit(code);
}
