/**
 * The embedded bus: a durable, partitioned log in a local directory, for
 * `deno task dev` and tests. One process at a time (it holds an exclusive
 * lock on `<dir>/.lock`); one member per consumer group and topic, which is
 * assigned every partition.
 *
 * Layout:
 * - `<dir>/<topic>/topic.json` — `{"partitions": n, "format": 2}`, written last
 *   when a topic is created, so a half-created topic is ignored on open.
 * - `<dir>/<topic>/<partition>/<base offset, 20 digits>.log` — the partition's
 *   segments: append-only frames, one per record: length, CRC-32, offset,
 *   timestamp, key and value (`_record_frame.ts`). The last segment is the
 *   active one; it rolls when it would pass `segmentBytes` (64 MiB) or when
 *   its first record is `segmentMs` (24 h) old.
 * - `<dir>/_groups/<groupId>/<topic>.json` — committed offsets, written when
 *   the group joins and replaced by temporary file, fsync and rename.
 *
 * Durability: `produce` resolves only after its records are written and
 * `fdatasync`ed. Appends to a partition are serialised; produce calls that
 * arrive during a write and fsync are written together by the next one (group
 * commit: one write and one fsync per partition for all of them). Consumers
 * see a record only once it is durable, and `highWatermark` is the durable
 * next offset.
 *
 * Recovery: on open every segment is scanned; the next offset and a sparse
 * index per segment (the byte position of every 256th offset) are rebuilt,
 * and a torn or corrupt tail (short frame, bad length, CRC mismatch, offset
 * out of sequence) is truncated with a warning. Readers seek through the
 * index, read 256 KiB chunks and move from segment to segment; nothing is
 * kept in memory beyond the batch in hand.
 *
 * Retention (`_retention.ts`): a sealed segment is deleted once every group
 * that has joined the topic has committed past it AND it is older than
 * `retention.maxAgeMs` or its partition is over `retention.maxBytes`. By
 * default nothing is deleted. Offsets never go back: a consumer starting
 * below the first offset left reads from there (Kafka's "earliest").
 *
 * Partitioning: a keyed record goes to Kafka's murmur2 partition of its key,
 * the same as the Kafka adapter; records without a key go to one partition
 * per produce call, round-robin across calls (as Kafka's sticky
 * partitioner), so a call costs one fsync.
 *
 * @module
 */

import type { Bus, BusConsumer, BusRecord } from "../bus.ts";
import { groupByPartition } from "./_murmur2.ts";
import { encodeFrames } from "./_record_frame.ts";
import { type GroupOffsets, loadGroupOffsets, readGroupCommits } from "./_group_offsets.ts";
import { startEmbeddedConsumer } from "./_embedded_consumer.ts";
import { readLogRange } from "./_range_read.ts";
import { checkTopicSpec, createTopic, type OpenTopic } from "./_topic_dir.ts";
import { openBusDir } from "./_bus_dir.ts";
import { type EmbeddedBusOptions, embeddedBusSettings } from "./_bus_options.ts";
import { type DeletedSegment, startRetention } from "./_retention.ts";

export type { EmbeddedBusOptions } from "./_bus_options.ts";
export { EmbeddedBusLockedError } from "./_bus_dir.ts";
export type { DeletedSegment, RetentionLimits } from "./_retention.ts";

/** The embedded bus: the bus port, plus retention on demand. */
export interface EmbeddedBus extends Bus {
  /**
   * Runs a retention pass now (or joins the one running), besides the
   * background passes.
   *
   * @returns The segments deleted.
   */
  applyRetention(): Promise<DeletedSegment[]>;
}

/**
 * Opens (or creates) an embedded bus in a directory, recovers its logs and
 * starts retention (a pass now, then every `retentionIntervalMs`).
 *
 * @param options The directory, logger, clock, retention and segment sizes.
 * @returns The bus; `kind` is "embedded" and `address` the directory.
 * @throws {EmbeddedBusLockedError} When another process holds the directory.
 * @throws {Error} When an option is invalid, the directory cannot be used, or
 * a topic cannot be recovered.
 * @example
 * ```ts
 * const bus = await createEmbeddedBus({
 *   dir: "data/bus",
 *   logger,
 *   retention: { maxAgeMs: 168 * 3_600_000, maxBytes: 1024 ** 3 },
 * });
 * await bus.ensureTopics([{ name: "pins", partitions: 3 }]);
 * await bus.produce("pins", [{ key: "user-1", value: "{}" }]);
 * ```
 */
export async function createEmbeddedBus(options: EmbeddedBusOptions): Promise<EmbeddedBus> {
  const settings = embeddedBusSettings(options);
  const { dir, logger, now } = settings;
  const { lock, topics } = await openBusDir(settings);
  logger.info("Opened the embedded bus", {
    dir,
    topics: [...topics.keys()],
    retention: settings.retention,
  });
  const retention = startRetention(
    { dir, topics, limits: settings.retention, now, logger },
    settings.retentionIntervalMs,
  );
  try {
    await retention.run();
  } catch (error) {
    logger.warn("Embedded bus retention failed; retrying at the next pass", { error });
  }

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
            topics.set(spec.name, await createTopic(dir, spec, settings, logger));
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
      const byPartition = groupByPartition(name, records, count, sticky);
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
        earliest: log.startOffset(),
        end: log.nextOffset(),
      }));
    },

    async read(name, ranges, onRecords) {
      await topicChanges;
      checkOpen();
      const topic = existing(name, "read");
      const missing = [...ranges.keys()].find((partition) => !topic.logs[partition]);
      if (missing !== undefined) {
        throw new RangeError(
          `Cannot read partition ${missing} of topic '${name}': it has ${topic.logs.length}`,
        );
      }
      for (const [partition, range] of ranges) {
        await readLogRange(topic.logs[partition]!, range, onRecords);
      }
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

    async groupPositions(groupId, name) {
      checkOpen();
      const topic = existing(name, "read group positions on");
      const joined = groupOffsets.get(`${groupId}\u0000${name}`);
      const stored = joined ? null : await readGroupCommits(dir, groupId, name);
      return topic.logs.map((log) => {
        const committed = joined ? joined.get(log.partition) : stored!.get(log.partition);
        return {
          partition: log.partition,
          committed: Math.max(committed ?? 0, log.startOffset()),
          end: log.nextOffset(),
        };
      });
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

    async applyRetention() {
      checkOpen();
      return await retention.run();
    },

    close() {
      closing ??= (async () => {
        await retention.stop();
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
