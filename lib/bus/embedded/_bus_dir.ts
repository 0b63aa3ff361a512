/**
 * Opening the embedded bus's directory: its exclusive lock, then every
 * topic in it, recovered.
 *
 * @module
 */

import type { EmbeddedBusSettings } from "./_bus_options.ts";
import { isTopicName, type OpenTopic, openTopic } from "./_topic_dir.ts";

/** Raised when another process holds the embedded bus's directory (its `.lock`). */
export class EmbeddedBusLockedError extends Error {
  /** The bus's directory. */
  readonly dir: string;

  constructor(dir: string) {
    super(
      `Cannot open the embedded bus at ${dir}: another process is using it (it locks ${dir}/.lock)`,
    );
    this.name = "EmbeddedBusLockedError";
    this.dir = dir;
  }
}

/** An open bus directory. */
export interface BusDir {
  /** The locked `<dir>/.lock`; closing it releases the directory. */
  lock: Deno.FsFile;
  /** Its topics, by name. */
  topics: Map<string, OpenTopic>;
}

/**
 * Creates the directory if missing, locks it and opens its topics.
 *
 * @param settings The directory, segment settings and logger.
 * @returns The lock and the topics.
 * @throws {EmbeddedBusLockedError} When another process holds it.
 * @throws {Error} When the directory cannot be used or a topic cannot be recovered.
 */
export async function openBusDir(settings: EmbeddedBusSettings): Promise<BusDir> {
  const { dir, logger } = settings;
  let lock: Deno.FsFile;
  try {
    await Deno.mkdir(dir, { recursive: true });
    lock = await Deno.open(`${dir}/.lock`, { read: true, write: true, create: true });
  } catch (error) {
    throw new Error(`Cannot open the embedded bus at ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!await lock.tryLock(true)) {
    lock.close();
    throw new EmbeddedBusLockedError(dir);
  }
  const topics = new Map<string, OpenTopic>();
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory || !isTopicName(entry.name)) continue;
      const topic = await openTopic(dir, entry.name, settings, logger);
      if (topic) topics.set(entry.name, topic);
    }
  } catch (error) {
    await Promise.all([...topics.values()].flatMap((t) => t.logs.map((log) => log.close())));
    lock.close();
    throw error;
  }
  return { lock, topics };
}
