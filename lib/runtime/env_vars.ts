/**
 * Typed readers for environment variables: each names the variable and its
 * value when it is wrong, so a misconfigured process fails fast and clearly.
 *
 * @module
 */

/** Raised when an environment variable has a value that cannot be used. */
export class ConfigError extends Error {
  /** The variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(message);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** The environment as a plain record, so callers and tests can pass their own. */
export type Env = Readonly<Record<string, string | undefined>>;

function _value(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
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
  return _value(env, name) ?? fallback;
}

/**
 * Reads an optional string variable.
 *
 * @returns The trimmed value, or null when unset or blank.
 */
export function readOptional(env: Env, name: string): string | null {
  return _value(env, name) ?? null;
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
  const value = _value(env, name);
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
  const value = _value(env, name);
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
