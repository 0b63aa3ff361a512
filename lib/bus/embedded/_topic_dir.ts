/**
 * A topic's directory in the embedded bus: `<dir>/<topic>/topic.json` (the
 * partition count, written last so a half-created topic is ignored) and one
 * directory of segment files per partition, `<partition>/<base offset>.log`.
 * A topic of format 1 (one `<partition>.log` file per partition) is moved to
 * this layout when it opens: each file becomes its partition's first segment.
 *
 * @module
 */

import type { TopicSpec } from "../bus.ts";
import type { Logger } from "../../runtime/logger.ts";
import { openPartitionLog, type PartitionLog, type SegmentSettings } from "./_partition_log.ts";
import { replaceFileDurably, syncDirectory } from "./_durable_file.ts";
import { segmentFileName } from "./_segment.ts";

/** An open topic. */
export interface OpenTopic {
  /** Its partitions, by number. */
  logs: PartitionLog[];
  /** The partition of the next produce call's unkeyed records. */
  nextSticky: number;
}

const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
const MAX_PARTITIONS = 1024;
const FORMAT = 2;
const FORMAT_ONE_FILE = 1;

/**
 * Whether a directory entry can be a topic (not `_groups`, `.lock`...).
 *
 * @param name The entry's name.
 * @returns True for a valid topic name.
 */
export function isTopicName(name: string): boolean {
  return TOPIC_NAME.test(name);
}

/**
 * Checks a topic's name and partition count.
 *
 * @param spec The topic.
 * @throws {Error} Naming the topic and the rule it breaks.
 */
export function checkTopicSpec({ name, partitions }: TopicSpec): void {
  if (!TOPIC_NAME.test(name)) {
    throw new Error(
      `Cannot use '${name}' as a topic name: use up to 249 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
    throw new Error(
      `Cannot create topic '${name}' with ${partitions} partitions: use an integer from 1 to ${MAX_PARTITIONS}`,
    );
  }
}

/**
 * Opens and recovers a topic's partition logs.
 *
 * @param dir The bus directory.
 * @param name The topic.
 * @param settings When the partitions' segments roll.
 * @param logger Where warnings go.
 * @returns The topic, or null when its directory has no topic.json.
 * @throws {Error} When topic.json is unreadable or a log cannot be recovered.
 */
export async function openTopic(
  dir: string,
  name: string,
  settings: SegmentSettings,
  logger: Logger,
): Promise<OpenTopic | null> {
  const metaPath = `${dir}/${name}/topic.json`;
  let partitions: number;
  let format: number;
  try {
    const meta = JSON.parse(await Deno.readTextFile(metaPath)) as {
      partitions: number;
      format: number;
    };
    format = meta.format;
    if (format !== FORMAT && format !== FORMAT_ONE_FILE) {
      throw new Error(`unknown format ${format}`);
    }
    partitions = meta.partitions;
    checkTopicSpec({ name, partitions });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      logger.warn("Ignoring a topic directory without topic.json", { path: `${dir}/${name}` });
      return null;
    }
    throw new Error(`Cannot read ${metaPath}: ${(error as Error).message}`, { cause: error });
  }
  if (format === FORMAT_ONE_FILE) await _segmentFormatOne(`${dir}/${name}`, partitions, logger);
  const logs: PartitionLog[] = [];
  try {
    for (let partition = 0; partition < partitions; partition++) {
      logs.push(await openPartitionLog(`${dir}/${name}/${partition}`, partition, settings, logger));
    }
  } catch (error) {
    await Promise.all(logs.map((log) => log.close()));
    throw error;
  }
  return { logs, nextSticky: 0 };
}

/**
 * Creates a topic's directory durably (or completes a half-created one) and
 * opens it.
 *
 * @param dir The bus directory.
 * @param spec The topic.
 * @param settings When the partitions' segments roll.
 * @param logger Where warnings go.
 * @returns The open topic.
 */
export async function createTopic(
  dir: string,
  spec: TopicSpec,
  settings: SegmentSettings,
  logger: Logger,
): Promise<OpenTopic> {
  const topicDir = `${dir}/${spec.name}`;
  await Deno.mkdir(topicDir, { recursive: true });
  for (let partition = 0; partition < spec.partitions; partition++) {
    const partitionDir = `${topicDir}/${partition}`;
    await Deno.mkdir(partitionDir, { recursive: true });
    await Deno.writeFile(`${partitionDir}/${segmentFileName(0)}`, new Uint8Array(), {
      append: true,
    });
    await syncDirectory(partitionDir);
  }
  await syncDirectory(topicDir);
  const meta = JSON.stringify({ partitions: spec.partitions, format: FORMAT });
  await replaceFileDurably(topicDir, "topic.json", meta);
  await syncDirectory(dir);
  return (await openTopic(dir, spec.name, settings, logger))!;
}

/**
 * Moves a format-1 topic (one `<partition>.log` per partition) to segment
 * directories. Each step can be repeated after a crash: a file already moved
 * is not found again, and topic.json changes last.
 */
async function _segmentFormatOne(
  topicDir: string,
  partitions: number,
  logger: Logger,
): Promise<void> {
  for (let partition = 0; partition < partitions; partition++) {
    const partitionDir = `${topicDir}/${partition}`;
    await Deno.mkdir(partitionDir, { recursive: true });
    try {
      await Deno.rename(`${topicDir}/${partition}.log`, `${partitionDir}/${segmentFileName(0)}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await syncDirectory(partitionDir);
  }
  await syncDirectory(topicDir);
  await replaceFileDurably(topicDir, "topic.json", JSON.stringify({ partitions, format: FORMAT }));
  logger.info("Moved a topic's partition logs into segment directories", { path: topicDir });
}
