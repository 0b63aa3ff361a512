import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { embeddedProbe } from "../fixtures/history_probe.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { readTopic } from "../fixtures/read_topic.ts";

const silent = createLogger({ level: "silent" });

Deno.test("[lambda] the stream and the batch agree on pins per category per day for the same events", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lambda-" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus`, logger: silent });
  const realtime = createSqlRealtimeStore(
    await createPgliteClient("memory://"),
    "embedded",
    "memory",
  );
  const archive = createLocalStore({ dir: `${dir}/archive` });
  const history = await createEmbeddedHistory({ path: `${dir}/history.duckdb` });
  const probe = embeddedProbe(`${dir}/history.duckdb`);
  try {
    await bus.ensureTopics([{ name: "pins", partitions: 3 }, { name: "pins.dlq", partitions: 1 }]);
    await realtime.migrate();
    await archive.ensureBucket();
    await history.migrate();
    const days = Array.from({ length: 5 }, (_, i) => `2026-11-${String(20 + i).padStart(2, "0")}`);
    const next = createPinGenerator({
      seed: 12,
      posters: 200,
      span: { from: new Date(`${days[0]}T00:00:00Z`), to: new Date(`${days.at(-1)}T23:59:59Z`) },
    });
    const received = new Date().toISOString();
    const events = Array.from({ length: 4000 }, () => ({ ...next(), received_at: received }));
    const retries = events.slice(0, 300);
    // Records another producer wrote straight onto the topic, breaking the text policy (as JSON
    // escapes) or not JSON at all (raw NUL bytes): the stream dead-letters them, the batch
    // counts them as rejected, and neither view counts them.
    const [sample] = events;
    const poison = [
      JSON.stringify({ ...sample, event_id: "nul", poster_name: "p\u0000q" }),
      JSON.stringify({ ...sample, event_id: "lone", title: "x\ud800y" }),
      JSON.stringify({ ...sample, event_id: "nested", extra: { notes: ["\udc00"] } }),
      "\u0000garbage",
      `${JSON.stringify({ ...sample, event_id: "nul-after" })}\u0000`,
    ];
    const records = [
      ...[...events, ...retries].map((e) => ({ key: e.poster_name, value: JSON.stringify(e) })),
      ...poison.map((value) => ({ key: "poison", value })),
    ];
    await bus.produce("pins", records);

    const stream = await startStreamJob({
      bus,
      store: realtime,
      metrics: createStreamMetrics(new Registry()),
      logger: silent,
      topic: "pins",
      dlqTopic: "pins.dlq",
    });
    const archiveMetrics = createArchiveMetrics(new Registry());
    const archiver = await createArchiver(
      { bus, store: archive, logger: silent, metrics: archiveMetrics },
      { topic: "pins", flushSeconds: 3600, flushBytes: 64 * 1024 * 1024, flushEvents: 1_000_000 },
    );
    const deadline = Date.now() + 60_000;
    while (
      [...(await realtime.offsets("realtime", "pins")).values()].reduce((a, b) => a + b, 0) <
        records.length
    ) {
      assert.ok(Date.now() < deadline, "the stream did not catch up");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The archiver holds every record once it has consumed them all (nothing is due before stop).
    const held = async () => (await archiveMetrics.bufferedRecords.get()).values[0]?.value ?? 0;
    while ((await held()) < records.length) {
      assert.ok(Date.now() < deadline, "the archiver did not consume everything");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await stream.stop();
    await archiver.stop();
    const summary = await runBatch({ store: archive, history, logger: silent });
    assert.equal(summary.failed, 0);
    const rejected = summary.results.reduce(
      (sum, day) => sum + ("badJson" in day ? day.badJson + day.invalid : 0),
      0,
    );
    assert.equal(rejected, poison.length, "the batch rejects what the stream dead-letters");
    const letters = await readTopic(bus, "pins.dlq", poison.length);
    assert.equal(letters.length, poison.length);

    let compared = 0;
    for (const day of days) {
      const window = { since: new Date(`${day}T00:00:00Z`), until: new Date(`${day}T23:59:00Z`) };
      const fromStream = new Map(
        (await realtime.categories(window)).map((r) => [r.category, r.events]),
      );
      const fromBatch = new Map(
        (await probe.categoriesByDay(day)).map((r) => [r.category, r.pins]),
      );
      assert.deepEqual(fromStream, fromBatch, `the two views disagree on ${day}`);
      compared += [...fromBatch.values()].reduce((a, b) => a + b, 0);
    }
    assert.equal(compared, events.length, "every event counted once in both views");
  } finally {
    await history.close();
    await archive.close();
    await realtime.close();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});
