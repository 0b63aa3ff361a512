/**
 * The Kafka adapter of the bus port, on kafkajs: acks=all producing, the
 * murmur2 partitioner (the Java client's, so keys land where Kafka tools
 * expect), and consumer groups with explicit commits. Its faster produce
 * path (`_kafkajs_producer.ts`) is imported before kafkajs, so that it is in
 * place when kafkajs's producer loads.
 *
 * @module
 */

import { createJavaCompatiblePartitioner, kafkajsProducerPatched } from "./_kafkajs_producer.ts";
import { type Admin, type Consumer, Kafka, type LogEntry, logLevel, type Producer } from "kafkajs";
import { deadline } from "../../runtime/async.ts";
import type { Logger } from "../../runtime/logger.ts";
import "./_kafkajs_encoder.ts";
import type {
  Bus,
  BusConsumer,
  BusHealth,
  BusRecord,
  ConsumedBatch,
  ConsumedRecord,
  ConsumeOptions,
  ConsumerHandlers,
  GroupPosition,
  OffsetRange,
  PartitionOffsets,
  TopicSpec,
} from "../bus.ts";
import { PartitionsLostError } from "../bus.ts";
import { readWithThrowawayGroup } from "./_throwaway_read.ts";

/** Options of {@linkcode createKafkaBus}. */
export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Broker-side wait for all in-sync replicas, in milliseconds. */
  ackTimeoutMs?: number;
}

/** Logs kafkajs's errors as warnings, except while `connecting()`: that failure is thrown. */
function _logCreator(logger: Logger, connecting: () => boolean) {
  return () => ({ namespace, level, log }: LogEntry) => {
    const { message, ...fields } = log;
    const line = `kafkajs ${namespace}: ${message}`;
    if (level === logLevel.ERROR && !connecting()) logger.warn(line, fields);
    else logger.debug(line, fields);
  };
}

function _withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return deadline(work, ms, () => {
    throw new Error(`${what} did not answer within ${ms} ms`);
  });
}

const HEARTBEAT_INTERVAL_MS = 1000;

/** kafkajs error types meaning the member is out of the group's current generation. */
const _MEMBERSHIP_LOST = new Set([
  "UNKNOWN_MEMBER_ID",
  "ILLEGAL_GENERATION",
  "REBALANCE_IN_PROGRESS",
  "NOT_COORDINATOR_FOR_GROUP",
]);

type _Typed = Error & { type?: string };

/** The kafkajs protocol error under a retrier's `KafkaJSNonRetriableError`, or the error. */
function _protocolError(error: Error): Error {
  const cause = error.cause as _Typed | undefined;
  return (error as _Typed).type === undefined && cause?.type ? cause : error;
}

function _membershipLost(error: Error): boolean {
  const type = (_protocolError(error) as _Typed).type;
  return type !== undefined && _MEMBERSHIP_LOST.has(type);
}

/**
 * Connects to Kafka.
 *
 * @param options Brokers, client id, logger.
 * @returns The bus; the producer connects on first use and reconnects by itself.
 * @throws When no broker answers, with the addresses in the message.
 */
export async function createKafkaBus(options: KafkaBusOptions): Promise<Bus> {
  const { brokers, clientId, logger, ackTimeoutMs = 5000 } = options;
  const address = brokers.join(",");
  let connecting = true;
  const kafka = new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    logLevel: logLevel.WARN,
    logCreator: _logCreator(logger.child({ component: "kafkajs" }), () => connecting),
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
  });
  const admin: Admin = kafka.admin();
  try {
    await _withTimeout(admin.connect(), 10_000, `Kafka at ${address}`);
  } catch (error) {
    await admin.disconnect().catch(() => {});
    throw new Error(`Cannot connect to Kafka at ${address}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    connecting = false;
  }
  if (!kafkajsProducerPatched) {
    logger.warn("kafkajs loaded before the Kafka adapter: producing uses kafkajs's slower path", {
      fix: "import lib/bus/kafka before anything that imports kafkajs",
    });
  }
  const producer: Producer = kafka.producer({
    createPartitioner: createJavaCompatiblePartitioner(),
    allowAutoTopicCreation: false,
    maxInFlightRequests: 5,
  });
  let producerReady: Promise<void> | null = null;
  const consumers = new Set<Consumer>();

  function connectProducer(): Promise<void> {
    producerReady ??= producer.connect().catch((error) => {
      producerReady = null;
      throw error;
    });
    return producerReady;
  }
  producer.on(producer.events.DISCONNECT, () => {
    producerReady = null;
  });

  async function ensureTopics(topics: TopicSpec[]): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic.name));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic: topic.name, numPartitions: topic.partitions })),
    });
    logger.info("Created topics", { topics: missing.map((topic) => topic.name) });
  }

  async function produce(topic: string, records: BusRecord[]): Promise<void> {
    await connectProducer();
    await producer.send({ topic, acks: -1, timeout: ackTimeoutMs, messages: records });
  }

  async function offsets(topic: string): Promise<PartitionOffsets[]> {
    const listed = await admin.fetchTopicOffsets(topic);
    return listed
      .map(({ partition, low, high }) => ({ partition, earliest: Number(low), end: Number(high) }))
      .sort((a, b) => a.partition - b.partition);
  }

  async function consume(
    { groupId, topic, maxBatchRecords = 5000 }: ConsumeOptions,
    handlers: ConsumerHandlers,
  ): Promise<BusConsumer> {
    const consumer = kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const assigned = new Set<number>();
    // A batch belongs to the generation it was fetched in; once the member is
    // out of it (a commit or heartbeat answered so), its batches are dropped
    // and its blocked eachBatch calls let go, so kafkajs can rejoin.
    let generation = 0;
    let lost: { generation: number; error: Error } | null = null;
    let onLost = Promise.withResolvers<void>();
    function markLost(joined: number, error: Error): void {
      if (joined !== generation || lost) return;
      lost = { generation: joined, error };
      logger.warn("Lost the consumer group's membership; rejoining", {
        groupId,
        topic,
        error: error.message,
      });
      onLost.resolve();
    }
    /** Why the member is out of generation `joined`, or null while it is in. */
    function lostIn(joined: number): Error | null {
      return lost?.generation === joined ? lost.error : null;
    }
    consumer.on(consumer.events.GROUP_JOIN, async ({ payload }) => {
      generation++;
      lost = null;
      onLost = Promise.withResolvers<void>();
      const partitions = payload.memberAssignment[topic] ?? [];
      assigned.clear();
      for (const partition of partitions) assigned.add(partition);
      if (!handlers.onAssign) return;
      const offsets = await handlers.onAssign(partitions);
      for (const [partition, offset] of offsets) {
        consumer.seek({ topic, partition, offset: String(offset) });
      }
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const joined = generation;
        const waitingForLoss = onLost.promise;
        const all = batch.messages;
        for (let start = 0; start < all.length; start += maxBatchRecords) {
          if (!isRunning() || isStale()) return;
          const gone = lostIn(joined);
          if (gone) throw gone;
          if (joined !== generation) return;
          const slice = all.slice(start, start + maxBatchRecords);
          const consumed: ConsumedBatch = {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: Number(batch.highWatermark),
            records: slice.map((message) => ({
              partition: batch.partition,
              offset: Number(message.offset),
              key: message.key ? message.key.toString() : null,
              value: message.value ? message.value.toString() : "",
              timestamp: Number(message.timestamp),
            })),
          };
          // The handler may wait long (backpressure): keep the session alive meanwhile.
          const keepAlive = setInterval(() => {
            heartbeat().catch((error: Error) => {
              if (_membershipLost(error)) markLost(joined, _protocolError(error));
            });
          }, HEARTBEAT_INTERVAL_MS);
          const handled = handlers.eachBatch(consumed);
          try {
            await Promise.race([handled, waitingForLoss]);
          } finally {
            clearInterval(keepAlive);
          }
          const lostWhileHandling = lostIn(joined);
          if (lostWhileHandling) {
            // The handler carries on alone: its commits fail, or land in the next generation.
            handled.catch((error: Error) =>
              logger.warn("A batch handler failed after the membership was lost", {
                topic,
                partition: batch.partition,
                error,
              })
            );
            throw lostWhileHandling;
          }
          resolveOffset(slice[slice.length - 1]!.offset);
          await heartbeat();
        }
      },
    });
    return {
      async commit(partition, nextOffset) {
        const joined = generation;
        try {
          await consumer.commitOffsets([{ topic, partition, offset: String(nextOffset) }]);
        } catch (error) {
          if (!_membershipLost(error as Error)) throw error;
          // A commit sent before a rejoin and refused after it: the retry uses the new member.
          if (joined !== generation) throw error;
          markLost(joined, _protocolError(error as Error));
          throw new PartitionsLostError(
            `Cannot commit offset ${nextOffset} of partition ${partition} of topic '${topic}' ` +
              `for group '${groupId}': ${(error as Error).message}`,
            { cause: error },
          );
        }
      },
      async stop() {
        consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async function read(
    topic: string,
    ranges: Map<number, OffsetRange>,
    onRecords: (records: ConsumedRecord[]) => void | Promise<void>,
  ): Promise<void> {
    const held = await offsets(topic);
    for (const partition of ranges.keys()) {
      if (!held.some((p) => p.partition === partition)) {
        throw new RangeError(
          `Cannot read partition ${partition} of topic '${topic}': it has ${held.length}`,
        );
      }
    }
    const clamped = new Map(held.map(({ partition, earliest, end }) => {
      const range = ranges.get(partition) ?? { from: end, to: end };
      return [partition, { from: Math.max(range.from, earliest), to: Math.min(range.to, end) }];
    }));
    await readWithThrowawayGroup(
      { consume, groupPrefix: `${clientId}-read` },
      topic,
      clamped,
      onRecords,
    );
  }

  async function groupPositions(groupId: string, topic: string): Promise<GroupPosition[]> {
    const [ends, [commits]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const committed = new Map(
      (commits?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]),
    );
    return ends.map(({ partition, high, low }) => ({
      partition,
      // -1 when the group has committed nothing: it starts at the first offset.
      committed: Math.max(committed.get(partition) ?? -1, Number(low)),
      end: Number(high),
    })).sort((a, b) => a.partition - b.partition);
  }

  async function health(): Promise<BusHealth> {
    try {
      const cluster = await _withTimeout(admin.describeCluster(), 2000, `Kafka at ${address}`);
      return { ok: true, detail: `${cluster.brokers.length} broker(s) at ${address}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  async function close(): Promise<void> {
    await Promise.allSettled([...consumers].map((consumer) => consumer.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  }

  return {
    kind: "kafka",
    address,
    ensureTopics,
    produce,
    offsets,
    read,
    consume,
    groupPositions,
    health,
    close,
  };
}
