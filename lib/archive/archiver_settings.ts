/**
 * The archivers' settings from the configuration: the pins archiver, and the
 * dead-letter archiver beside it.
 *
 * @module
 */

import type { Config } from "../runtime/config.ts";
import { DLQ_PREFIX } from "./archive_key.ts";
import type { ArchiverOptions } from "./archiver.ts";

/**
 * The archiver's settings from the configuration, for `createArchiver`.
 *
 * @param config The process's configuration.
 * @returns Topic, group and flush bounds.
 */
export function archiverSettings(config: Config): ArchiverOptions {
  return {
    topic: config.bus.pinsTopic,
    groupId: config.archive.group,
    flushSeconds: config.archive.flushSeconds,
    flushBytes: config.archive.flushBytes,
    flushEvents: config.archive.flushEvents,
    memoryBytes: config.archive.memoryBytes,
  };
}

/**
 * The dead-letter archiver's settings: the dead-letter topic, group
 * `<ARCHIVE_GROUP>-dlq`, the dead-letter zone, and the pins archiver's bounds.
 *
 * @param config The process's configuration.
 * @returns Topic, group, zone and flush bounds.
 */
export function dlqArchiverSettings(config: Config): ArchiverOptions {
  return {
    ...archiverSettings(config),
    topic: config.bus.dlqTopic,
    groupId: `${config.archive.group}-dlq`,
    keyPrefix: DLQ_PREFIX,
  };
}
