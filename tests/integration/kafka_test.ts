import assert from "node:assert/strict";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

await testWithService("kafka", {
  name: "[kafka] a consumer group receives every keyed message, each key on one partition",
  async fn(t) {
    const id = crypto.randomUUID();
    const topic = `it-kafka-${id}`;
    const kafka = new Kafka({
      clientId: "integration-test",
      brokers: serviceEndpoints().kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    const consumer = kafka.consumer({ groupId: `it-group-${id}` });
    const sent = Array.from({ length: 60 }, (_, i) => ({
      key: `poster-${i % 7}`,
      value: JSON.stringify({ seq: i }),
    }));
    await admin.connect();
    try {
      await t.step("admin creates a topic with 3 partitions", async () => {
        assert.equal(
          await admin.createTopics({
            topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
            waitForLeaders: true,
          }),
          true,
        );
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        assert.equal(metadata.topics[0]?.partitions.length, 3);
      });

      await t.step("producer writes keyed messages with acks=all", async () => {
        await producer.connect();
        const acks = await producer.send({ topic, acks: -1, messages: sent });
        assert.ok(acks.length > 0);
        assert.ok(acks.every((ack) => ack.errorCode === 0));
      });

      await t.step("consumer group reads them all; a key never spans partitions", async () => {
        const received: { key: string; value: string; partition: number }[] = [];
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`Only ${received.length} of ${sent.length} messages in 30 s`)),
            30_000,
          );
          consumer.run({
            eachMessage: ({ partition, message }) => {
              received.push({
                key: message.key?.toString() ?? "",
                value: message.value?.toString() ?? "",
                partition,
              });
              if (received.length === sent.length) {
                clearTimeout(timer);
                resolve();
              }
              return Promise.resolve();
            },
          }).catch((error) => {
            clearTimeout(timer);
            reject(error);
          });
        });
        const key = (m: { key: string; value: string }) => `${m.key}|${m.value}`;
        assert.deepEqual(received.map(key).sort(), sent.map(key).sort());
        const partitionsByKey = new Map<string, Set<number>>();
        for (const message of received) {
          const partitions = partitionsByKey.get(message.key) ?? new Set();
          partitions.add(message.partition);
          partitionsByKey.set(message.key, partitions);
        }
        for (const [messageKey, partitions] of partitionsByKey) {
          assert.equal(partitions.size, 1, `key ${messageKey} landed on ${[...partitions]}`);
        }
        // 7 keys over 3 partitions: the murmur2 partitioner uses more than one.
        const used = new Set(received.map((message) => message.partition));
        assert.ok(used.size > 1, `all keys landed on partition ${[...used]}`);
      });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  },
});
