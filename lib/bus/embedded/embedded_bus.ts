/**
 * The embedded bus: a durable, partitioned log in a local directory, for
 * `deno task dev` and tests. One process at a time (it holds an exclusive
 * lock on `<dir>/.lock`); one member per consumer group and topic, which is
 * assigned every partition.
 *
 * Layout:
 * - `<dir>/<topic>/topic.json` — `{"partitions": n, "format": 1}`, written last
 *   when a topic is created, so a half-created topic is ignored on open.
 * - `<dir>/<topic>/<partition>.log` — append-only frames, one per record:
 *   length, CRC-32, offset, timestamp, key and value (`_record_frame.ts`).
 * - `<dir>/_groups/<groupId>/<topic>.json` — committed offsets, replaced by
 *   temporary file, fsync and rename.
 *
 * Durability: `produce` resolves only after its records are written and
 * `fdatasync`ed. Appends to a partition are serialised; produce calls that
 * arrive during a write and fsync are written together by the next one (group
 * commit: one write and one fsync per partition for all of them). Consumers
 * see a record only once it is durable, and `highWatermark` is the durable
 * next offset.
 *
 * Recovery: on open every log is scanned; the next offset and a sparse index
 * (the byte position of every 256th offset) are rebuilt, and a torn or
 * corrupt tail (short frame, bad length, CRC mismatch, offset out of
 * sequence) is truncated with a warning. Readers seek through the index and
 * read 256 KiB chunks; nothing is kept in memory beyond the batch in hand.
 *
 * Partitioning: a keyed record goes to Kafka's murmur2 partition of its key,
 * the same as the Kafka adapter; records without a key go to one partition
 * per produce call, round-robin across calls (as Kafka's sticky
 * partitioner), so a call costs one fsync.
 *
 * Records are kept forever: there is no retention, which suits a dev log.
 *
 * @module
 */

import type { Bus, BusConsumer, BusRecord } from "../bus.ts";
import { createLogger, type Logger } from "../../runtime/logger.ts";
import { partitionForKey } from "./_murmur2.ts";
import { encodeFrames } from "./_record_frame.ts";
import { type GroupOffsets, loadGroupOffsets } from "./_group_offsets.ts";
import { startEmbeddedConsumer } from "./_embedded_consumer.ts";
import {
  checkTopicSpec,
  createTopic,
  isTopicName,
  type OpenTopic,
  openTopic,
} from "./_topic_dir.ts";

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

/** Options of {@linkcode createEmbeddedBus}. */
export interface EmbeddedBusOptions {
  /** The directory holding the logs; created if missing. */
  dir: string;
  /** Where recovery warnings and consumer errors go; silent by default. */
  logger?: Logger;
  /** The clock that stamps records. */
  now?: () => Date;
}

/**
 * Opens (or creates) an embedded bus in a directory and recovers its logs.
 *
 * @param options The directory, logger and clock.
 * @returns The bus; `kind` is "embedded" and `address` the directory.
 * @throws {EmbeddedBusLockedError} When another process holds it.
 * @throws {Error} When the directory cannot be used or a topic cannot be recovered.
 * @example
 * ```ts
 * const bus = await createEmbeddedBus({ dir: "data/bus", logger });
 * await bus.ensureTopics([{ name: "pins", partitions: 3 }]);
 * await bus.produce("pins", [{ key: "user-1", value: "{}" }]);
 * ```
 */
export async function createEmbeddedBus(options: EmbeddedBusOptions): Promise<Bus> {
  const { dir, logger = createLogger({ level: "silent" }), now = () => new Date() } = options;
  if (typeof dir !== "string" || dir === "") {
    throw new Error("Cannot open the embedded bus: dir must be a non-empty path");
  }
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
      const topic = await openTopic(dir, entry.name, logger);
      if (topic) topics.set(entry.name, topic);
    }
  } catch (error) {
    await Promise.all([...topics.values()].flatMap((t) => t.logs.map((log) => log.close())));
    lock.close();
    throw error;
  }
  logger.info("Opened the embedded bus", { dir, topics: [...topics.keys()] });

  const members = new Map<string, BusConsumer | null>();
  const groupOffsets = new Map<string, GroupOffsets>();
  let topicChanges: Promise<void> = Promise.resolve();
  let closing: Promise<void> | null = null;

  function checkOpen(): void {
    if (closing) throw new Error(`The embedded bus at ${dir} is closed`);
  }

  function existing(name: string, action: string): OpenTopic {
    const topic = topics.get(name);
    if (topic) return topic;
    throw new Error(
      `Cannot ${action} topic '${name}': it does not exist in the embedded bus at ${dir}; create it with ensureTopics first`,
    );
  }

  return {
    kind: "embedded",
    address: dir,

    async ensureTopics(specs) {
      checkOpen();
      specs.forEach(checkTopicSpec);
      const change = topicChanges.then(async () => {
        for (const spec of specs) {
          const topic = topics.get(spec.name);
          if (!topic) {
            topics.set(spec.name, await createTopic(dir, spec, logger));
            logger.info("Created a topic", { topic: spec.name, partitions: spec.partitions });
          } else if (topic.logs.length !== spec.partitions) {
            logger.warn("Topic exists with another partition count; keeping it", {
              topic: spec.name,
              partitions: topic.logs.length,
              requested: spec.partitions,
            });
          }
        }
      });
      topicChanges = change.catch(() => {});
      await change;
    },

    async produce(name, records: BusRecord[]) {
      checkOpen();
      const topic = existing(name, "produce to");
      if (records.length === 0) return;
      const count = topic.logs.length;
      const sticky = topic.nextSticky;
      topic.nextSticky = (sticky + 1) % count;
      const byPartition = new Map<number, BusRecord[]>();
      for (const record of records) {
        if (
          typeof record.value !== "string" ||
          (record.key !== null && typeof record.key !== "string")
        ) {
          throw new TypeError(
            `Cannot produce to topic '${name}': key must be a string or null and value a string`,
          );
        }
        const partition = record.key === null ? sticky : partitionForKey(record.key, count);
        const list = byPartition.get(partition);
        if (list) list.push(record);
        else byPartition.set(partition, [record]);
      }
      const timestamp = now().getTime();
      const encoded = [...byPartition].map(([p, list]) =>
        [p, encodeFrames(list, timestamp)] as const
      );
      await Promise.all(
        encoded.map(([partition, frames]) => topic.logs[partition]!.append(frames)),
      );
    },

    async offsets(name) {
      await topicChanges;
      checkOpen();
      const topic = existing(name, "read the offsets of");
      return topic.logs.map((log) => ({
        partition: log.partition,
        earliest: 0,
        end: log.nextOffset(),
      }));
    },

    async consume(options, handlers) {
      checkOpen();
      const { groupId, topic: name, maxBatchRecords = 1000 } = options;
      const topic = existing(name, "consume");
      if (!Number.isInteger(maxBatchRecords) || maxBatchRecords < 1) {
        throw new Error(
          `Cannot consume with maxBatchRecords ${maxBatchRecords}: it must be an integer >= 1`,
        );
      }
      const member = `${groupId}\u0000${name}`;
      if (members.has(member)) {
        throw new Error(
          `Cannot join consumer group '${groupId}' on topic '${name}': it already has a member, and the embedded bus allows one per group and topic`,
        );
      }
      members.set(member, null);
      try {
        let offsets = groupOffsets.get(member);
        if (!offsets) {
          offsets = await loadGroupOffsets(dir, groupId, name, topic.logs.length);
          groupOffsets.set(member, offsets);
        }
        const consumer = await startEmbeddedConsumer({
          topic: name,
          groupId,
          logs: topic.logs,
          offsets,
          logger,
          maxBatchRecords,
          onStop: () => members.delete(member),
        }, handlers);
        members.set(member, consumer);
        if (closing) {
          await consumer.stop();
          checkOpen();
        }
        return consumer;
      } catch (error) {
        members.delete(member);
        throw error;
      }
    },

    async health() {
      if (closing) return { ok: false, detail: `${dir}: closed` };
      for (const topic of topics.values()) {
        const failure = topic.logs.find((log) => log.failure())?.failure();
        if (failure) return { ok: false, detail: `${dir}: ${failure.message}` };
      }
      try {
        const probe = await Deno.makeTempFile({ dir, prefix: ".health-" });
        await Deno.remove(probe);
        return { ok: true, detail: dir };
      } catch (error) {
        return { ok: false, detail: `${dir} is not writable: ${(error as Error).message}` };
      }
    },

    close() {
      closing ??= (async () => {
        const running = [...members.values()].filter((member) => member !== null);
        await Promise.all(running.map((consumer) => consumer.stop()));
        await Promise.all([...groupOffsets.values()].map((offsets) => offsets.settled()));
        await topicChanges;
        await Promise.all([...topics.values()].flatMap((t) => t.logs.map((log) => log.close())));
        lock.close();
        logger.info("Closed the embedded bus", { dir });
      })();
      return closing;
    },
  };
}
