/**
 * A task's command line: the declaration of its flags and argument, and the
 * parser that checks them — an unknown flag, a missing or bad value or a
 * stray argument is a {@linkcode UsageError} naming the flag and the value.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { flagUsage } from "./cli_help.ts";
import type { EnvGroup } from "./env_catalog.ts";
import type { Env } from "./env_vars.ts";

/** One flag, `--name VALUE` or, for booleans, `--name`. */
export interface FlagSpec {
  type: "string" | "integer" | "boolean";
  /** One line for `--help`. */
  description: string;
  /** A one-letter alias, e.g. `c` for `-c`. */
  short?: string;
  /** The value's placeholder in `--help`, e.g. `URL`; `N` for integers by default. */
  value?: string;
  default?: string | number;
  /** An environment variable whose value, when set, replaces the default. */
  env?: string;
  /** The only values allowed (string flags). */
  choices?: readonly string[];
  /** Bounds of an integer flag, both included. */
  min?: number;
  max?: number;
  /** Checks a string value; what it throws becomes the usage error's message. */
  check?: (value: string, name: string) => unknown;
}

/** A task's flags by name, without the dashes. */
export type Flags = Record<string, FlagSpec>;

/** The single positional argument a task takes, e.g. query's SQL. */
export interface ArgumentSpec {
  name: string;
  description: string;
}

/** Everything `--help` says about a task, and what its command line accepts. */
export interface TaskSpec<F extends Flags = Flags> {
  /** The task's name, as in `deno task <name>`; prefixes every failure line. */
  name: string;
  /** What it does, in a sentence or two. */
  summary: string;
  flags?: F;
  /** Set when the task takes exactly one argument; otherwise it takes none. */
  argument?: ArgumentSpec;
  /** The groups of environment variables it reads. */
  env?: readonly EnvGroup[];
  examples?: readonly string[];
  /**
   * What exit codes 0 and 1 mean for this task (the defaults suit a service),
   * and any other code it returns, e.g. `[[3, "..."]]`.
   */
  exits?: { ok: string; failed: string; more?: ReadonlyArray<readonly [number, string]> };
}

type _Value<S extends FlagSpec> = S["type"] extends "boolean" ? boolean
  : S["type"] extends "integer" ? number
  : string;

/** The parsed flags: a flag without a default is `undefined` when not given. */
export type FlagValues<F extends Flags> = {
  [K in keyof F]: F[K] extends { type: "boolean" } | { default: string | number } ? _Value<F[K]>
    : _Value<F[K]> | undefined;
};

/** What {@linkcode parseTaskArgs} read from the command line. */
export interface TaskArgs<F extends Flags> {
  flags: FlagValues<F>;
  /** The positional argument; empty when the task takes none. */
  argument: string;
}

/** Raised for a command line the task cannot run: the process exits 2. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

function _invalid(flag: string, expected: string, value: string): never {
  throw new UsageError(`Invalid ${flag}: expected ${expected}, current value is '${value}'`);
}

function _integer(flag: string, spec: FlagSpec, value: string): number {
  const { min = -Infinity, max = Infinity } = spec;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
    const bounds = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    _invalid(flag, min === -Infinity ? "an integer" : `an integer ${bounds}`, value);
  }
  return parsed;
}

function _flagValue(name: string, spec: FlagSpec, given: string | undefined, env: Env) {
  const fromEnv = spec.env ? env[spec.env]?.trim() || undefined : undefined;
  const value = given ?? fromEnv ?? spec.default?.toString();
  if (value === undefined) return undefined;
  const flag = `--${name}`;
  if (spec.type === "integer") return _integer(flag, spec, value);
  if (spec.choices && !spec.choices.includes(value)) {
    _invalid(flag, `one of ${spec.choices.join(", ")}`, value);
  }
  try {
    spec.check?.(value, name);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  return value;
}

function _positional(spec: TaskSpec, positionals: string[]): string {
  const [first, second] = positionals;
  if (!spec.argument) {
    if (first !== undefined) {
      throw new UsageError(`Unexpected argument '${first}': ${spec.name} takes no arguments`);
    }
    return "";
  }
  if (first === undefined) {
    throw new UsageError(
      `Missing the ${spec.argument.name} argument: deno task ${spec.name} [options] "${spec.argument.name}"`,
    );
  }
  if (second !== undefined) {
    throw new UsageError(
      `Unexpected argument '${second}': ${spec.name} takes one ${spec.argument.name} argument; quote it`,
    );
  }
  return first;
}

/** A string flag followed by another flag, as in `--url --count 5`, has no value. */
function _isFlag(token: { value?: string; inlineValue?: boolean }): boolean {
  return !token.inlineValue && token.value?.startsWith("--") === true;
}

/**
 * Parses a task's command line.
 *
 * @param spec The task's flags and argument.
 * @param args The command-line arguments.
 * @param env Where flags with an `env` fall back to.
 * @returns `"help"` when `--help` or `-h` is among them, otherwise the values.
 * @throws {UsageError} On an unknown flag, a missing or bad value, or a stray argument.
 */
export function parseTaskArgs<F extends Flags>(
  spec: TaskSpec<F>,
  args: readonly string[],
  env: Env = {},
): TaskArgs<F> | "help" {
  const flags: Flags = spec.flags ?? {};
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    help: { type: "boolean", short: "h" },
  };
  for (const [name, flag] of Object.entries(flags)) {
    const type = flag.type === "boolean" ? "boolean" : "string";
    options[name] = flag.short ? { type, short: flag.short } : { type };
  }
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  if (tokens.some((token) => token.kind === "option" && token.name === "help")) return "help";
  const given = new Map<string, string | undefined>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") positionals.push(token.value);
    if (token.kind !== "option") continue;
    const flag = flags[token.name];
    if (!flag) {
      throw new UsageError(
        `Unknown flag '${token.rawName}': deno task ${spec.name} --help lists the flags`,
      );
    }
    if (flag.type === "boolean" && token.value !== undefined) {
      _invalid(token.rawName, "no value", token.value);
    }
    if (flag.type !== "boolean" && (token.value === undefined || _isFlag(token))) {
      throw new UsageError(
        `Missing the value of ${token.rawName}: expected ${flagUsage(token.name, flag)}`,
      );
    }
    given.set(token.name, token.value);
  }
  const argument = _positional(spec, positionals);
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(flags)) {
    values[name] = flag.type === "boolean"
      ? given.has(name)
      : _flagValue(name, flag, given.get(name), env);
  }
  return { flags: values as FlagValues<F>, argument };
}
