import assert from "node:assert/strict";
import {
  crc32c,
  createJavaCompatiblePartitioner,
  groupMessagesPerPartition,
  kafkajsProducerPatched,
} from "../../lib/bus/kafka/_kafkajs_producer.ts";
import { murmur2 } from "../../lib/bus/murmur2.ts";
import { Partitioners } from "kafkajs";
// @ts-types="npm:@types/node@18"
import kafkajsCrc32C from "kafkajs/src/protocol/recordBatch/crc32C/crc32C.js";
// @ts-types="npm:@types/node@18"
import kafkajsMurmur2 from "kafkajs/src/producer/partitioners/default/murmur2.js";
// @ts-types="npm:@types/node@18"
import RecordBatchModule from "kafkajs/src/protocol/recordBatch/v0/index.js";
// @ts-types="npm:@types/node@18"
import RecordBatchDecoder from "kafkajs/src/protocol/recordBatch/v0/decoder.js";
// @ts-types="npm:@types/node@18"
import Record from "kafkajs/src/protocol/recordBatch/record/v0/index.js";
// @ts-types="npm:@types/node@18"
import Decoder from "kafkajs/src/protocol/decoder.js";
import { Buffer } from "node:buffer";

const keys = [
  "",
  "a",
  "ab",
  "abc",
  "abcd",
  "poster 17",
  "Ünïcödé — 日本語",
  "emoji 😀 key",
  ...Array.from({ length: 200 }, (_, i) => `poster-${i * 7919}-${"x".repeat(i % 13)}`),
];

const partitions = (n: number, leaderless: number[] = []) =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
  }));

Deno.test("[kafkajs_producer] the patch is in place when the adapter's module loads before kafkajs's producer", () => {
  assert.equal(kafkajsProducerPatched, true);
});

Deno.test("[kafkajs_producer] murmur2 and the partitioner agree with kafkajs's DefaultPartitioner", () => {
  const theirs = (Partitioners.DefaultPartitioner as unknown as () => (args: unknown) => number)();
  const ours = createJavaCompatiblePartitioner()();
  for (const key of keys) {
    assert.equal(
      murmur2(key),
      (kafkajsMurmur2 as (key: string) => number)(key),
      `murmur2 of ${key}`,
    );
    for (const n of [1, 3, 6, 7, 64]) {
      const args = { topic: "t", partitionMetadata: partitions(n), message: { key } };
      assert.equal(ours(args), theirs(args), `key ${JSON.stringify(key)} over ${n} partitions`);
    }
  }
  const explicit = {
    topic: "t",
    partitionMetadata: partitions(6),
    message: { key: "k", partition: 4 },
  };
  assert.equal(ours(explicit), 4);
});

Deno.test("[kafkajs_producer] keyless messages go round robin over the partitions with a leader", () => {
  const ours = createJavaCompatiblePartitioner()();
  const seen = new Set<number>();
  for (let i = 0; i < 30; i++) {
    seen.add(ours({ topic: "t", partitionMetadata: partitions(4, [2]), message: { key: null } }));
  }
  assert.deepEqual([...seen].sort(), [0, 1, 3]);
});

Deno.test("[kafkajs_producer] grouping keeps each partition's messages in order", () => {
  const messages = Array.from({ length: 50 }, (_, i) => ({ key: null, partition: i % 3, i }));
  const grouped = groupMessagesPerPartition({
    topic: "t",
    partitionMetadata: partitions(3),
    messages,
    partitioner: ({ message }) => message.partition!,
  });
  assert.deepEqual(Object.keys(grouped), ["0", "1", "2"]);
  assert.deepEqual(
    grouped[1]!.map((m) => m.i),
    messages.filter((m) => m.i % 3 === 1).map((m) => m.i),
  );
  assert.deepEqual(
    groupMessagesPerPartition({
      topic: "t",
      partitionMetadata: [],
      messages,
      partitioner: () => 0,
    }),
    {},
  );
});

Deno.test("[kafkajs_producer] CRC32-C agrees with kafkajs's at every length and offset", () => {
  const bytes = crypto.getRandomValues(new Uint8Array(4096));
  for (const length of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 1000, 4096]) {
    for (const start of [0, 1, 3]) {
      const part = bytes.subarray(start, Math.min(bytes.length, start + length));
      const expected = ((kafkajsCrc32C as (b: Uint8Array) => number)(part)) >>> 0;
      assert.equal(crc32c(part), expected, `length ${part.length} at ${start}`);
    }
  }
});

Deno.test("[kafkajs_producer] a record batch encoded with the patch decodes with kafkajs's own decoder", async () => {
  const records = Array.from({ length: 300 }, (_, i) =>
    (Record as (r: unknown) => unknown)({
      offsetDelta: i,
      timestampDelta: i,
      key: Buffer.from(`key ${i}`),
      value: Buffer.from(JSON.stringify({ i, text: "é".repeat(i) })),
    }));
  type Encoded = { buffer: Uint8Array };
  const { RecordBatch } = RecordBatchModule as unknown as {
    RecordBatch: (b: unknown) => Promise<Encoded>;
  };
  const batch = await RecordBatch({
    firstTimestamp: Date.now(),
    maxTimestamp: Date.now(),
    lastOffsetDelta: 299,
    records,
  });
  const decoded = await (RecordBatchDecoder as (d: unknown) => Promise<{
    records: Array<{ key: Uint8Array; value: Uint8Array }>;
  }>)(new (Decoder as unknown as new (b: unknown) => unknown)(batch.buffer));
  assert.equal(decoded.records.length, 300);
  assert.equal(
    Buffer.from(decoded.records[299]!.value).toString(),
    JSON.stringify({ i: 299, text: "é".repeat(299) }),
  );
  // The CRC covers everything after its own field (attributes onwards), as the broker checks it.
  const view = new DataView(batch.buffer.buffer, batch.buffer.byteOffset, batch.buffer.byteLength);
  assert.equal(view.getUint32(17), crc32c(batch.buffer.subarray(21)));
  assert.equal(
    view.getUint32(17),
    (kafkajsCrc32C as (b: Uint8Array) => number)(batch.buffer.subarray(21)) >>> 0,
  );
});
