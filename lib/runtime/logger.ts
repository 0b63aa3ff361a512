/**
 * A structured logger: one JSON object per line (or a readable line with
 * `pretty`), on stderr, quiet by default — lifecycle events at `info`,
 * nothing per request or per event.
 *
 * @module
 */

/** Severity levels, lowest first; `silent` logs nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;

/** A severity level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How lines are written. */
export type LogFormat = "json" | "pretty";

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logger every module receives; never a global. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

/** Options of {@linkcode createLogger}. */
export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  /** The clock, for the `time` field. */
  now?: () => Date;
}

function _serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, cause: _serialise(value.cause) };
  }
  return value;
}

function _pretty(time: string, level: string, message: string, fields: LogFields): string {
  const rest = Object.entries(fields)
    .map(([key, value]) => `${key}=${JSON.stringify(_serialise(value))}`)
    .join(" ");
  return `${time} ${level.toUpperCase().padEnd(5)} ${message}${rest ? " " + rest : ""}`;
}

const encoder = new TextEncoder();

function _stderr(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line + "\n"));
}

/**
 * Creates a logger.
 *
 * @param options Level (default `info`), format (default `json`), sink and clock.
 * @returns The logger.
 * @example
 * ```ts
 * const log = createLogger({ level: "warn" }).child({ component: "edge" });
 * log.warn("Kafka did not acknowledge in time", { waitedMs: 5000 });
 * ```
 */
export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const { level = "info", format = "json", write = _stderr, now = () => new Date() } = options;
  const threshold = LOG_LEVELS.indexOf(level);

  function emit(lineLevel: LogLevel, message: string, fields?: LogFields): void {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    const all: LogFields = { ...bound, ...fields };
    const time = now().toISOString();
    if (format === "pretty") {
      write(_pretty(time, lineLevel, message, all));
      return;
    }
    const record: LogFields = { time, level: lineLevel, msg: message };
    for (const [key, value] of Object.entries(all)) record[key] = _serialise(value);
    write(JSON.stringify(record));
  }

  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
