import assert from "node:assert/strict";
import type { Bus, BusConsumer, ConsumedRecord, ConsumerHandlers } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createLogger } from "../../lib/runtime/logger.ts";

const CLOCK = new Date("2026-11-26T12:00:00Z");

/** Runs `body` with a fresh directory, removed afterwards. */
async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "embedded_bus_test_" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function open(dir: string, lines: string[] = []): Promise<Bus> {
  const logger = createLogger({ level: "warn", write: (line) => lines.push(line) });
  return createEmbeddedBus({ dir, logger, now: () => CLOCK });
}

/** Rejects if `promise` takes longer than `ms`; clears its timer either way. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Consumes until `done(records)` holds, then stops. Commits after each batch
 * unless `commit` is false.
 */
async function consumeUntil(
  bus: Bus,
  groupId: string,
  topic: string,
  done: (records: ConsumedRecord[]) => boolean,
  options: {
    maxBatchRecords?: number;
    commit?: boolean;
    onAssign?: ConsumerHandlers["onAssign"];
    timeoutMs?: number;
  } = {},
): Promise<ConsumedRecord[]> {
  const records: ConsumedRecord[] = [];
  const { promise: finished, resolve } = Promise.withResolvers<void>();
  const joined = Promise.withResolvers<BusConsumer>();
  const consumer = await bus.consume({ groupId, topic, maxBatchRecords: options.maxBatchRecords }, {
    onAssign: options.onAssign,
    async eachBatch(batch) {
      assert.ok(batch.records.length <= (options.maxBatchRecords ?? 1000));
      records.push(...batch.records);
      const last = batch.records.at(-1)!;
      assert.ok(batch.highWatermark > last.offset);
      if (options.commit !== false) {
        await (await joined.promise).commit(batch.partition, last.offset + 1);
      }
      if (done(records)) resolve();
    },
  });
  joined.resolve(consumer);
  try {
    await within(options.timeoutMs ?? 10_000, `Consuming ${topic}`, finished);
  } finally {
    await consumer.stop();
  }
  return records;
}

function byPartition(records: ConsumedRecord[]): Map<number, ConsumedRecord[]> {
  const map = new Map<number, ConsumedRecord[]>();
  for (const record of records) {
    const list = map.get(record.partition);
    if (list) list.push(record);
    else map.set(record.partition, [record]);
  }
  return map;
}

function assertContiguous(records: ConsumedRecord[], from = 0): void {
  records.forEach((record, i) => assert.equal(record.offset, from + i));
}

Deno.test("[embedded_bus] produce then consume returns every record once, in order per partition", async (t) => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 3 }]);
      const sent = Array.from({ length: 600 }, (_, i) => ({
        key: i % 10 === 9 ? null : `user-${i % 10}`,
        value: JSON.stringify({ i, text: "é✓ multi-byte" }),
      }));
      for (let i = 0; i < sent.length; i += 50) await bus.produce("pins", sent.slice(i, i + 50));
      const got = await consumeUntil(bus, "g", "pins", (r) => r.length >= 600);

      await t.step("every record exactly once, values and keys intact", () => {
        assert.equal(got.length, 600);
        const seen = got.map((r) => JSON.parse(r.value).i as number).sort((a, b) => a - b);
        assert.deepEqual(seen, sent.map((_, i) => i));
        for (const r of got) {
          assert.equal(r.key, sent[JSON.parse(r.value).i]!.key);
          assert.equal(r.timestamp, CLOCK.getTime());
        }
      });
      await t.step("offsets contiguous from 0 and produce order kept per partition", () => {
        for (const records of byPartition(got).values()) {
          assertContiguous(records);
          const order = records.map((r) => JSON.parse(r.value).i as number);
          assert.deepEqual(order, [...order].sort((a, b) => a - b));
        }
      });
      await t.step("same key, same partition; Kafka's murmur2 placement", () => {
        const partitionOf = new Map<string, number>();
        for (const r of got.filter((r) => r.key !== null)) {
          assert.equal(partitionOf.get(r.key!) ?? r.partition, r.partition);
          partitionOf.set(r.key!, r.partition);
        }
        assert.ok(new Set(partitionOf.values()).size > 1, "keys spread over partitions");
      });
      await t.step("a key hashes as Kafka's default partitioner does", async () => {
        await bus.ensureTopics([{ name: "hash", partitions: 7 }]);
        await bus.produce("hash", [{ key: "21", value: "x" }]);
        const [record] = await consumeUntil(bus, "g", "hash", (r) => r.length === 1);
        // Kafka's Utils.murmur2("21") is -973932308.
        assert.equal(record!.partition, (-973932308 & 0x7fffffff) % 7);
      });
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus] records and committed offsets survive close and reopen", async () => {
  await withDir(async (dir) => {
    const first = await open(dir);
    await first.ensureTopics([{ name: "pins", partitions: 1 }]);
    await first.produce(
      "pins",
      Array.from({ length: 300 }, (_, i) => ({ key: null, value: `${i}` })),
    );
    const early = await consumeUntil(first, "g", "pins", (r) => r.length >= 100, {
      maxBatchRecords: 100,
    });
    assert.equal(early.length, 100);
    await first.close();

    const second = await open(dir);
    try {
      await second.ensureTopics([{ name: "pins", partitions: 4 }]);
      await second.produce("pins", [{ key: "k", value: "300" }]);
      const rest = await consumeUntil(second, "g", "pins", (r) => r.at(-1)?.offset === 300);
      assert.equal(rest[0]!.offset, 100, "resumes at the committed offset");
      assertContiguous(rest, 100);
      assert.deepEqual(
        rest.map((r) => r.value),
        Array.from({ length: 201 }, (_, i) => `${i + 100}`),
      );
      assert.equal(rest.at(-1)!.partition, 0, "the topic kept its one partition");
      const all = await consumeUntil(second, "other", "pins", (r) => r.length === 301);
      assertContiguous(all);
    } finally {
      await second.close();
    }
  });
});

Deno.test("[embedded_bus] a torn or corrupt tail is truncated on reopen", async (t) => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
    await bus.produce("pins", Array.from({ length: 10 }, (_, i) => ({ key: "k", value: `v${i}` })));
    await bus.close();
    const log = `${dir}/pins/0/00000000000000000000.log`;
    const good = await Deno.readFile(log);

    const cases: [string, Uint8Array][] = [
      ["half a record", good.subarray(0, Math.floor(good.length / 10 / 2))],
      ["a header claiming more bytes than follow", good.subarray(0, 12)],
      ["garbage", new TextEncoder().encode('garbage\n{"o":10}\n')],
      [
        "a whole frame with a bad CRC",
        good.slice(0, good.length / 10).map((b, i) => i === 40 ? b ^ 1 : b),
      ],
      ["zeros", new Uint8Array(4096)],
    ];
    for (const [name, tail] of cases) {
      await t.step(name, async () => {
        await Deno.writeFile(log, tail, { append: true });
        const warnings: string[] = [];
        const reopened = await open(dir, warnings);
        try {
          assert.equal((await Deno.stat(log)).size, good.length);
          assert.match(warnings.join("\n"), /Truncating a torn or corrupt tail/);
          const got = await consumeUntil(reopened, `g-${name}`, "pins", (r) => r.length === 10, {
            commit: false,
          });
          assert.deepEqual(got.map((r) => r.value), Array.from({ length: 10 }, (_, i) => `v${i}`));
        } finally {
          await reopened.close();
        }
      });
    }

    await t.step("appends continue at the next offset after truncation", async () => {
      await Deno.writeFile(log, good.subarray(0, 7), { append: true });
      const reopened = await open(dir);
      try {
        await reopened.produce("pins", [{ key: "k", value: "v10" }]);
        const got = await consumeUntil(reopened, "after", "pins", (r) => r.length === 11);
        assertContiguous(got);
        assert.equal(got[10]!.value, "v10");
      } finally {
        await reopened.close();
      }
    });
  });
});

Deno.test("[embedded_bus] onAssign offsets are honoured, else committed, else 0", async () => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 3 }]);
      const records = Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 12}`, value: `${i}` }));
      await bus.produce("pins", records);
      const ends = new Map<number, number>();
      for (const r of await consumeUntil(bus, "probe", "pins", (r) => r.length === 300)) {
        ends.set(r.partition, Math.max(ends.get(r.partition) ?? 0, r.offset + 1));
      }
      assert.equal(ends.size, 3);

      const warmup = await bus.consume({ groupId: "g", topic: "pins" }, {
        eachBatch: () => Promise.resolve(),
      });
      await warmup.commit(1, 7);
      await warmup.stop();

      let assignedWith: number[] = [];
      const total = [...ends.values()].reduce((a, b) => a + b, 0) - 5 - 7;
      const got = await consumeUntil(bus, "g", "pins", (r) => r.length === total, {
        onAssign(partitions) {
          assignedWith = partitions;
          return Promise.resolve(new Map([[0, 5]]));
        },
      });
      assert.deepEqual(assignedWith, [0, 1, 2]);
      const parts = byPartition(got);
      assert.equal(parts.get(0)![0]!.offset, 5, "onAssign wins");
      assert.equal(parts.get(1)![0]!.offset, 7, "committed offset next");
      assert.equal(parts.get(2)![0]!.offset, 0, "else the earliest record");
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus] a consumer waiting at the end receives records produced later", async () => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 2 }]);
      const received: ConsumedRecord[] = [];
      const { promise: gotAll, resolve } = Promise.withResolvers<void>();
      const consumer = await bus.consume({ groupId: "g", topic: "pins" }, {
        eachBatch(batch) {
          received.push(...batch.records);
          if (received.length === 3) resolve();
          return Promise.resolve();
        },
      });
      try {
        await bus.produce("pins", [{ key: "a", value: "1" }]);
        await bus.produce("pins", [{ key: "b", value: "2" }, { key: "c", value: "3" }]);
        await within(5000, "Delivery of late records", gotAll);
        assert.deepEqual(received.map((r) => r.value).sort(), ["1", "2", "3"]);
      } finally {
        await consumer.stop();
      }
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus] misuse fails with a clear message", async (t) => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await t.step("producing to an unknown topic", async () => {
        await assert.rejects(
          bus.produce("nope", [{ key: null, value: "x" }]),
          /Cannot produce to topic 'nope': it does not exist .*ensureTopics/,
        );
      });
      await t.step("consuming an unknown topic", async () => {
        await assert.rejects(
          bus.consume({ groupId: "g", topic: "nope" }, { eachBatch: () => Promise.resolve() }),
          /Cannot consume topic 'nope'.*ensureTopics/,
        );
      });
      await t.step("a second member of the same group and topic", async () => {
        await bus.ensureTopics([{ name: "pins", partitions: 1 }]);
        const handlers = { eachBatch: () => Promise.resolve() };
        const first = await bus.consume({ groupId: "g", topic: "pins" }, handlers);
        await assert.rejects(
          bus.consume({ groupId: "g", topic: "pins" }, handlers),
          /Cannot join consumer group 'g' on topic 'pins': it already has a member/,
        );
        await first.stop();
        await (await bus.consume({ groupId: "g", topic: "pins" }, handlers)).stop();
      });
      await t.step("a second process on the same directory", async () => {
        await assert.rejects(open(dir), /another process is using it/);
      });
      await t.step("bad topic names and partition counts", async () => {
        await assert.rejects(bus.ensureTopics([{ name: "../x", partitions: 1 }]), /topic name/);
        await assert.rejects(bus.ensureTopics([{ name: "x", partitions: 0 }]), /partitions/);
      });
    } finally {
      await bus.close();
    }
    await assert.rejects(bus.produce("pins", []), /closed/);
    assert.equal((await bus.health()).ok, false);
  });
});

Deno.test("[embedded_bus] concurrent produce calls all land, contiguous, none lost", async () => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 2 }]);
      assert.deepEqual(await bus.health(), { ok: true, detail: dir });
      await Promise.all(Array.from({ length: 50 }, async (_, task) => {
        await Promise.resolve();
        const key = task % 2 === 0 ? null : `task-${task}`;
        const records = Array.from({ length: 100 }, (_, i) => ({ key, value: `${task}:${i}` }));
        await bus.produce("pins", records);
      }));
      const got = await consumeUntil(bus, "g", "pins", (r) => r.length === 5000);
      for (const records of byPartition(got).values()) assertContiguous(records);
      assert.equal(new Set(got.map((r) => r.value)).size, 5000);
      const byTask = Map.groupBy(got, (r) => r.value.split(":")[0]!);
      for (const records of byTask.values()) {
        assert.equal(new Set(records.map((r) => r.partition)).size, 1, "one call, one partition");
        assertContiguous(records, records[0]!.offset);
      }
    } finally {
      await bus.close();
    }
  });
});

Deno.test("[embedded_bus] 100k records round-trip", async () => {
  await withDir(async (dir) => {
    const bus = await open(dir);
    try {
      await bus.ensureTopics([{ name: "pins", partitions: 3 }]);
      const total = 100_000;
      const perCall = 1000;
      const filler = "x".repeat(400);
      const started = performance.now();
      for (let call = 0; call < total / perCall; call += 4) {
        await Promise.all([0, 1, 2, 3].map((lane) => {
          const base = (call + lane) * perCall;
          return bus.produce(
            "pins",
            Array.from({ length: perCall }, (_, i) => ({
              key: `user-${(base + i) % 1000}`,
              value: `{"n":${base + i},"filler":"${filler}"}`,
            })),
          );
        }));
      }
      const produced = performance.now();
      const got = await consumeUntil(bus, "g", "pins", (r) => r.length === total, {
        timeoutMs: 60_000,
      });
      const consumed = performance.now();
      assert.equal(new Set(got.map((r) => r.value)).size, total);
      for (const records of byPartition(got).values()) assertContiguous(records);
      const rate = (ms: number) => Math.round(total / (ms / 1000));
      console.log(
        `embedded bus, 100k records of ~430 bytes: produce ${rate(produced - started)}/s, ` +
          `consume ${rate(consumed - produced)}/s (committing after each batch of 1000)`,
      );
    } finally {
      await bus.close();
    }
  });
});

// Produces in four concurrent loops and prints each call's id once it has
// resolved. Records are ~20 KB so a write spans megabytes and the kill can
// land inside it, leaving a torn tail for recovery to cut; 4 MiB segments
// make it roll several times before the kill.
const CHILD = `
const [busUrl, dir] = Deno.args;
const { createEmbeddedBus } = await import(busUrl);
const bus = await createEmbeddedBus({ dir, segmentBytes: 4 * 1024 * 1024 });
await bus.ensureTopics([{ name: "pins", partitions: 2 }]);
const encoder = new TextEncoder();
const filler = "y".repeat(20_000);
await Promise.all([0, 1, 2, 3].map(async (lane) => {
  for (let call = 0; ; call++) {
    const id = lane + "-" + call;
    const records = Array.from({ length: 50 }, (_, i) => ({
      key: "k" + ((call + i) % 5),
      value: id + ":" + i + ":" + filler,
    }));
    await bus.produce("pins", records);
    await Deno.stdout.write(encoder.encode(id + "\\n"));
  }
}));
`;

Deno.test("[embedded_bus] no acknowledged record is lost when the process is killed", async () => {
  await withDir(async (dir) => {
    const script = `${dir}/child.ts`;
    await Deno.writeTextFile(script, CHILD);
    const busUrl = new URL("../../lib/bus/embedded/embedded_bus.ts", import.meta.url).href;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-config",
        `--allow-read=${dir},${new URL("../../lib/", import.meta.url).pathname}`,
        `--allow-write=${dir}`,
        script,
        busUrl,
        `${dir}/bus`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const acked = new Set<string>();
    const { promise: enough, resolve } = Promise.withResolvers<void>();
    const reading = (async () => {
      let pending = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        const lines = (pending + chunk).split("\n");
        pending = lines.pop()!;
        for (const line of lines) acked.add(line);
        if (acked.size >= 40) resolve();
      }
    })();
    const stderr = new Response(child.stderr).text();
    const exited = child.status.then((status) => {
      resolve();
      return status;
    });
    await within(60_000, "40 acknowledged produce calls", enough);
    try {
      child.kill("SIGKILL");
    } catch {
      // It already exited; the status check below says why.
    }
    const status = await exited;
    await reading;
    assert.equal(status.signal, "SIGKILL", `the child died on its own: ${await stderr}`);
    await stderr;
    assert.ok(acked.size >= 40);

    const bus = await open(`${dir}/bus`);
    try {
      const counts = new Map<string, number>();
      const seen = new Set<string>();
      const nextOffsets = new Map<number, number>();
      const problems: string[] = [];
      let complete = 0;
      const { promise: allFound, resolve: found } = Promise.withResolvers<void>();
      const consumer = await bus.consume({ groupId: "verify", topic: "pins" }, {
        eachBatch(batch) {
          for (const record of batch.records) {
            const expected = nextOffsets.get(batch.partition) ?? 0;
            if (record.offset !== expected) problems.push(`offset ${record.offset} != ${expected}`);
            nextOffsets.set(batch.partition, record.offset + 1);
            const [id, i] = record.value.split(":") as [string, string];
            if (seen.has(`${id}:${i}`)) problems.push(`duplicate ${id}:${i}`);
            seen.add(`${id}:${i}`);
            const count = (counts.get(id) ?? 0) + 1;
            counts.set(id, count);
            if (count === 50 && acked.has(id)) complete++;
          }
          if (complete === acked.size) found();
          return Promise.resolve();
        },
      });
      try {
        await within(30_000, "Reading every acknowledged record", allFound);
      } catch (error) {
        const missing = [...acked].filter((id) => counts.get(id) !== 50);
        throw new Error(`Acknowledged produce calls lost or incomplete: ${missing.join(", ")}`, {
          cause: error,
        });
      } finally {
        await consumer.stop();
      }
      assert.deepEqual(problems, []);
    } finally {
      await bus.close();
    }
  });
});
