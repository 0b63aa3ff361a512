/**
 * The bus port: durable, partitioned, ordered logs of records, with consumer
 * groups. Adapters: Kafka (`kafka_bus.ts`) and an embedded durable log
 * (`embedded_bus.ts`) for `deno task dev`.
 *
 * @module
 */

/** A record to publish. Records with the same key land in the same partition, in order. */
export interface BusRecord {
  key: string | null;
  value: string;
}

/** A topic and how many partitions it has. */
export interface TopicSpec {
  name: string;
  partitions: number;
}

/** A record read back, with its position. */
export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  /** When the bus stored it, in epoch milliseconds. */
  timestamp: number;
}

/** Records of one partition, in offset order. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** The offset the next produced record of this partition will get. */
  highWatermark: number;
}

/** Where a partition's records begin and end now. */
export interface PartitionOffsets {
  partition: number;
  /** The earliest offset still held (above 0 once retention removed records). */
  earliest: number;
  /** The offset the next record will get: the partition's high watermark. */
  end: number;
}

/** Offsets `from` (included) to `to` (excluded) of one partition. */
export interface OffsetRange {
  from: number;
  to: number;
}

/** Options of {@linkcode Bus.consume}. */
export interface ConsumeOptions {
  groupId: string;
  topic: string;
  /** Upper bound of records handed to one `eachBatch` call. */
  maxBatchRecords?: number;
}

/** What a consumer does with its partitions. */
export interface ConsumerHandlers {
  /**
   * Called on every assignment, before any batch of those partitions: the
   * next offset to read per partition. Partitions left out resume from the
   * group's committed offset, or the earliest record.
   */
  onAssign?(partitions: number[]): Promise<Map<number, number>>;
  /** Handles one batch; the next batch of that partition waits for it. */
  eachBatch(batch: ConsumedBatch): Promise<void>;
}

/**
 * A commit refused because the consumer is no longer a member of its group's
 * current generation (evicted, or the group is rebalancing): its partitions
 * are no longer its own, like a revocation. Retrying cannot succeed; what is
 * not committed is read again once the group has rejoined.
 */
export class PartitionsLostError extends Error {
  /**
   * @param message What the broker said.
   * @param options The underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PartitionsLostError";
  }
}

/** A running consumer. */
export interface BusConsumer {
  /**
   * Stores the group's next offset to read for a partition.
   *
   * @throws {PartitionsLostError} When the consumer lost its group membership.
   */
  commit(partition: number, nextOffset: number): Promise<void>;
  /** Stops fetching, waits for the batch in hand, leaves the group. */
  stop(): Promise<void>;
}

/** The outcome of a health check. */
export interface BusHealth {
  ok: boolean;
  detail: string;
}

/** Where a consumer group stands on one partition of a topic. */
export interface GroupPosition {
  partition: number;
  /**
   * The next offset the group reads: its committed offset, or the partition's
   * first offset when it has committed none (or committed below it).
   */
  committed: number;
  /** The offset the next produced record will get: every acknowledged record is below it. */
  end: number;
}

/** A durable, partitioned log with consumer groups. */
export interface Bus {
  /** "kafka" or "embedded", for the banner and `/health`. */
  readonly kind: "kafka" | "embedded";
  /** Where it lives: broker addresses or a directory. */
  readonly address: string;
  /** Creates the topics that are missing; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Publishes records; resolves only once they are durable (Kafka acks=all, or fsync). */
  produce(topic: string, records: BusRecord[]): Promise<void>;
  /**
   * Each partition's earliest and end offsets, in partition order: where a
   * reader that must stop (a tool listing a topic) finds the topic's end.
   */
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /**
   * Reads the given offset range of each partition, clamped to what the
   * partition holds, and hands the records to `onRecords` in offset order per
   * partition (the next call waits for it); resolves once every range is read.
   * For tools that read a topic as far as `offsets` says it ends: no consumer
   * group is left behind (the embedded log reads its files; Kafka uses a
   * throwaway group that commits nothing, which the broker drops once empty).
   *
   * @throws {Error} What `onRecords` throws; on Kafka, a range that stops arriving.
   */
  read(
    topic: string,
    ranges: Map<number, OffsetRange>,
    onRecords: (records: ConsumedRecord[]) => void | Promise<void>,
  ): Promise<void>;
  /** Joins a consumer group on a topic and starts handing batches to `handlers`. */
  consume(options: ConsumeOptions, handlers: ConsumerHandlers): Promise<BusConsumer>;
  /** Reads, now, each partition's end offset and where a group stands on it. */
  groupPositions(groupId: string, topic: string): Promise<GroupPosition[]>;
  /** Whether the bus answers now. */
  health(): Promise<BusHealth>;
  /** Releases connections and files. */
  close(): Promise<void>;
}
