/**
 * A topic's directory in the embedded bus: `<dir>/<topic>/topic.json` (the
 * partition count, written last so a half-created topic is ignored) and one
 * `<partition>.log` per partition.
 *
 * @module
 */

import type { TopicSpec } from "../bus.ts";
import type { Logger } from "../../runtime/logger.ts";
import { openPartitionLog, type PartitionLog } from "./_partition_log.ts";
import { replaceFileDurably, syncDirectory } from "./_durable_file.ts";

/** An open topic. */
export interface OpenTopic {
  /** Its partitions, by number. */
  logs: PartitionLog[];
  /** The partition of the next produce call's unkeyed records. */
  nextSticky: number;
}

const TOPIC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
const MAX_PARTITIONS = 1024;
const FORMAT = 1;

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
 * @param logger Where warnings go.
 * @returns The topic, or null when its directory has no topic.json.
 * @throws {Error} When topic.json is unreadable or a log cannot be recovered.
 */
export async function openTopic(
  dir: string,
  name: string,
  logger: Logger,
): Promise<OpenTopic | null> {
  const metaPath = `${dir}/${name}/topic.json`;
  let partitions: number;
  try {
    const meta = JSON.parse(await Deno.readTextFile(metaPath)) as {
      partitions: number;
      format: number;
    };
    if (meta.format !== FORMAT) throw new Error(`unknown format ${meta.format}`);
    partitions = meta.partitions;
    checkTopicSpec({ name, partitions });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      logger.warn("Ignoring a topic directory without topic.json", { path: `${dir}/${name}` });
      return null;
    }
    throw new Error(`Cannot read ${metaPath}: ${(error as Error).message}`, { cause: error });
  }
  const logs: PartitionLog[] = [];
  try {
    for (let partition = 0; partition < partitions; partition++) {
      logs.push(await openPartitionLog(`${dir}/${name}/${partition}.log`, partition, logger));
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
 * @param logger Where warnings go.
 * @returns The open topic.
 */
export async function createTopic(
  dir: string,
  spec: TopicSpec,
  logger: Logger,
): Promise<OpenTopic> {
  const topicDir = `${dir}/${spec.name}`;
  await Deno.mkdir(topicDir, { recursive: true });
  for (let partition = 0; partition < spec.partitions; partition++) {
    await Deno.writeFile(`${topicDir}/${partition}.log`, new Uint8Array(), { append: true });
  }
  await syncDirectory(topicDir);
  const meta = JSON.stringify({ partitions: spec.partitions, format: FORMAT });
  await replaceFileDurably(topicDir, "topic.json", meta);
  await syncDirectory(dir);
  return (await openTopic(dir, spec.name, logger))!;
}
