import assert from "node:assert/strict";
import { createKafkaBus } from "../../lib/bus/kafka/kafka_bus.ts";
import { runDlq } from "../../lib/dlq/dlq_cli.ts";
import { deadLetterRecord } from "../../lib/pin/dead_letter.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { dropTopic } from "../fixtures/archive_objects.ts";
import { readTopic } from "../fixtures/read_topic.ts";
import { seedPin } from "../fixtures/seed_pins.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { testWithService } from "../services/test_with_service.ts";

const silent = createLogger({ level: "silent" });

await testWithService("kafka", {
  name: "[dlq:kafka] offsets, bounded reads, list, show and a replay run twice on Kafka",
  async fn(t) {
    const id = crypto.randomUUID();
    const pinsTopic = `it-dlq-pins-${id}`;
    const dlqTopic = `it-dlq-${id}`;
    const brokers = serviceEndpoints().kafkaBrokers;
    const bus = await createKafkaBus({ brokers, clientId: "it-dlq", logger: silent });
    const env = {
      KAFKA_BROKERS: brokers.join(","),
      PINS_TOPIC: pinsTopic,
      DLQ_TOPIC: dlqTopic,
      PINS_PARTITIONS: "2",
    };
    const dlq = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      let code = -1;
      await runDlq({
        args,
        env,
        stdout: (text) => out.push(text),
        stderr: (text) => err.push(text),
        exit: (exitCode) => code = exitCode,
      });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    try {
      await bus.ensureTopics([{ name: pinsTopic, partitions: 2 }, {
        name: dlqTopic,
        partitions: 1,
      }]);
      const at = new Date().toISOString();
      const letters = [
        { source: "edge:/pins", reason: "invalid", raw: JSON.stringify(seedPin()), index: 0 },
        { source: "edge:/pins", reason: "invalid", raw: "{oops", index: 1 },
        {
          source: "stream:x/0@1",
          reason: "not a pin event",
          raw: JSON.stringify({ ...seedPin(), event_id: "kafka-1" }),
        },
      ].map((letter) => ({
        key: null,
        value: JSON.stringify(
          deadLetterRecord({ ...letter, problems: [{ path: "$", message: "m" }] }, at),
        ),
      }));
      await bus.produce(dlqTopic, letters);

      await t.step("offsets: earliest and end", async () => {
        assert.deepEqual(await bus.offsets(dlqTopic), [{ partition: 0, earliest: 0, end: 3 }]);
      });
      await t.step("read: the whole topic, then one record", async () => {
        const offsets = await bus.offsets(dlqTopic);
        const all: number[] = [];
        await bus.read(dlqTopic, new Map([[0, { from: 0, to: offsets[0]!.end }]]), (records) => {
          all.push(...records.map((record) => record.offset));
        });
        assert.deepEqual(all, [0, 1, 2]);
        const one: number[] = [];
        await bus.read(dlqTopic, new Map([[0, { from: 1, to: 2 }]]), (records) => {
          one.push(...records.map((record) => record.offset));
        });
        assert.deepEqual(one, [1]);
      });
      await t.step("list and show", async () => {
        const listed = await dlq("list", "--source", "edge:", "--format", "json");
        assert.equal(listed.code, 0, listed.err);
        assert.deepEqual(JSON.parse(listed.out).map((row: { id: string }) => row.id), [
          "0@0",
          "0@1",
        ]);
        const shown = await dlq("show", "0@1");
        assert.equal(shown.code, 0, shown.err);
        assert.match(shown.out, /raw \(as received\):\n\{oops$/);
      });
      await t.step("replay twice: the same two events, with the same ids, each time", async () => {
        const first = JSON.parse((await dlq("replay", "--format", "json")).out);
        assert.deepEqual(first.counts, {
          "replayed": 2,
          "would replay": 0,
          "still failing": 1,
          "skipped": 0,
        });
        const second = JSON.parse((await dlq("replay", "--format", "json")).out);
        assert.deepEqual(second.lines, first.lines);
        const ids = (await readTopic(bus, pinsTopic, 4)).map((r) => JSON.parse(r.value).event_id);
        assert.equal(new Set(ids).size, 2);
        assert.ok(ids.includes("kafka-1"));
      });
    } finally {
      await bus.close();
      await dropTopic(pinsTopic);
      await dropTopic(dlqTopic);
    }
  },
});
