/**
 * The options of the embedded bus, their defaults and their checks.
 *
 * @module
 */

import { createLogger, type Logger } from "../../runtime/logger.ts";
import type { SegmentSettings } from "./_partition_log.ts";
import type { RetentionLimits } from "./_retention.ts";

/** Options of `createEmbeddedBus`. */
export interface EmbeddedBusOptions {
  /** The directory holding the logs; created if missing. */
  dir: string;
  /** Where recovery warnings, deletions and consumer errors go; silent by default. */
  logger?: Logger;
  /** The clock that stamps records and that retention measures age with. */
  now?: () => Date;
  /** Retention limits per partition; each 0 or left out keeps records without that limit. */
  retention?: Partial<RetentionLimits>;
  /** Roll a new segment when the active one would pass this many bytes (default 64 MiB). */
  segmentBytes?: number;
  /** Roll a new segment when the active one's first record is this old (default 24 h; 0: by size only). */
  segmentMs?: number;
  /** The pause between background retention passes (default 5 minutes). */
  retentionIntervalMs?: number;
}

/** The options with their defaults filled in. */
export interface EmbeddedBusSettings extends SegmentSettings {
  dir: string;
  logger: Logger;
  now: () => Date;
  retention: RetentionLimits;
  retentionIntervalMs: number;
}

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;
/** The longest delay a timer takes without firing at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Checks the options and fills in the defaults.
 *
 * @param options The caller's options.
 * @returns The settings.
 * @throws {Error} Naming the first option whose value cannot be used.
 */
export function embeddedBusSettings(options: EmbeddedBusOptions): EmbeddedBusSettings {
  const {
    dir,
    logger = createLogger({ level: "silent" }),
    now = () => new Date(),
    retention = {},
    segmentBytes = 64 * MIB,
    segmentMs = 24 * HOUR_MS,
    retentionIntervalMs = 5 * 60_000,
  } = options;
  if (typeof dir !== "string" || dir === "") {
    throw new Error("Cannot open the embedded bus: dir must be a non-empty path");
  }
  const settings = {
    dir,
    logger,
    now,
    retention: { maxAgeMs: retention.maxAgeMs ?? 0, maxBytes: retention.maxBytes ?? 0 },
    segmentBytes,
    segmentMs,
    retentionIntervalMs,
  };
  const checks: [string, number, number, number][] = [
    ["retention.maxAgeMs", settings.retention.maxAgeMs, 0, Number.MAX_SAFE_INTEGER],
    ["retention.maxBytes", settings.retention.maxBytes, 0, Number.MAX_SAFE_INTEGER],
    ["segmentBytes", segmentBytes, 1, Number.MAX_SAFE_INTEGER],
    ["segmentMs", segmentMs, 0, Number.MAX_SAFE_INTEGER],
    ["retentionIntervalMs", retentionIntervalMs, 1, MAX_TIMER_MS],
  ];
  for (const [name, value, min, max] of checks) {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new Error(
        `Cannot open the embedded bus at ${dir}: ${name} must be an integer from ${min} to ${max}, current value is ${value}`,
      );
    }
  }
  return settings;
}
