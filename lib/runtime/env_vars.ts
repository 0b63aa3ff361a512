/**
 * Typed readers for environment variables: each names the variable and its
 * value when it is wrong, so a misconfigured process fails fast and clearly.
 * {@linkcode recordEnvReads} lists what a loader reads, with the defaults,
 * for `--help`.
 *
 * @module
 */

import { cronProblem } from "./cron_expression.ts";

/**
 * Raised when an environment variable's value cannot be used: it is
 * malformed, or what it points at does not answer or is taken.
 */
export class ConfigError extends Error {
  /** The variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** The environment as a plain record, so callers and tests can pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable a reader looked at, and the value it uses when the variable is unset. */
export interface EnvRead {
  name: string;
  /** Absent when unset means "off" or "embedded" rather than a value. */
  fallback?: string;
}

const _recorders = new WeakMap<Env, Map<string, EnvRead>>();

function _value(env: Env, name: string, fallback?: string | number): string | undefined {
  const read: EnvRead = fallback === undefined ? { name } : { name, fallback: String(fallback) };
  _recorders.get(env)?.set(name, read);
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Runs a loader on an empty environment and lists the variables it reads.
 *
 * @param load A function that reads its settings with this module's readers.
 * @returns The variables in the order read, with their defaults.
 * @example
 * ```ts
 * const reads = recordEnvReads(loadConfig); // [{ name: "HOST", fallback: "0.0.0.0" }, ...]
 * ```
 */
export function recordEnvReads(load: (env: Env) => unknown): EnvRead[] {
  const env: Env = {};
  const reads = new Map<string, EnvRead>();
  _recorders.set(env, reads);
  load(env);
  return [...reads.values()];
}

function _fail(name: string, value: string, expected: string): never {
  throw new ConfigError(name, `Invalid ${name}: expected ${expected}, current value is '${value}'`);
}

/**
 * Reads a string variable.
 *
 * @returns The trimmed value, or `fallback` when unset or blank.
 */
export function readString(env: Env, name: string, fallback: string): string {
  return _value(env, name, fallback) ?? fallback;
}

/**
 * Reads an integer variable within bounds.
 *
 * @throws {ConfigError} When the value is not an integer in `[min, max]`.
 */
export function readInt(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = _value(env, name, fallback);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
    _fail(name, value, `an integer from ${min} to ${max}`);
  }
  return parsed;
}

/**
 * Reads one of a fixed set of words.
 *
 * @throws {ConfigError} When the value is not one of `choices`.
 */
export function readChoice<T extends string>(
  env: Env,
  name: string,
  fallback: T,
  choices: readonly T[],
): T {
  const value = _value(env, name, fallback);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase() as T;
  if (!choices.includes(lower)) _fail(name, value, `one of ${choices.join(", ")}`);
  return lower;
}

/**
 * Reads a comma-separated list.
 *
 * @returns The non-empty trimmed items; empty when unset.
 */
export function readList(env: Env, name: string): string[] {
  const value = _value(env, name);
  if (value === undefined) return [];
  return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
}

/**
 * Reads a list of `host:port` addresses.
 *
 * @throws {ConfigError} When an item is not `host:port`.
 */
export function readAddresses(env: Env, name: string): string[] {
  const items = readList(env, name);
  for (const item of items) {
    const port = Number(item.slice(item.lastIndexOf(":") + 1));
    if (!item.includes(":") || !Number.isInteger(port) || port < 1 || port > 65535) {
      _fail(name, env[name] ?? "", `a comma-separated list of host:port addresses`);
    }
  }
  return items;
}

/**
 * Reads an optional URL with one of the given schemes. A password in the
 * value is shown as `***` in the error.
 *
 * @param protocols Accepted schemes with their colon, e.g. `["postgres:", "postgresql:"]`.
 * @returns The trimmed value, or null when unset or blank.
 * @throws {ConfigError} When the value is not such a URL.
 */
export function readUrl(env: Env, name: string, protocols: readonly string[]): string | null {
  const value = _value(env, name);
  if (value === undefined) return null;
  if (!URL.canParse(value) || !protocols.includes(new URL(value).protocol)) {
    const schemes = protocols.map((protocol) => `${protocol}//`).join(" or ");
    _fail(name, value.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@"), `a URL starting with ${schemes}`);
  }
  return value;
}

/**
 * Reads a cron expression (UTC, five fields) as `Deno.cron` accepts it.
 *
 * @returns The expression with single spaces, or `fallback` when unset.
 * @throws {ConfigError} When `Deno.cron` would reject it; the message says which field.
 */
export function readCron(env: Env, name: string, fallback: string): string {
  const value = _value(env, name, fallback);
  if (value === undefined) return fallback;
  const problem = cronProblem(value);
  if (problem) {
    throw new ConfigError(
      name,
      `Invalid ${name}: expected a cron expression (minute hour day-of-month month ` +
        `day-of-week, UTC) such as '${fallback}', current value is '${value}': ${problem}`,
    );
  }
  return value.split(/\s+/).join(" ");
}
