/**
 * The ingest policy of the edge app on the embedded bus: one policy for
 * `/pin/`, `/pin` and `/pins`, rate limits every request spends, bounded
 * answers and work, dead-letter failures that do not undo a durable answer,
 * gzip bodies, the cap on bytes in flight.
 */

import assert from "node:assert/strict";
import type { Bus } from "../../lib/bus/bus.ts";
import {
  buildEdge,
  JSON_HEADERS,
  postRequest,
  TEST_TOPICS,
  withTestBus,
} from "../fixtures/edge_harness.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { readTopic } from "../fixtures/read_topic.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";

const TOPICS = TEST_TOPICS;
const withBus = (fn: (bus: Bus) => Promise<void>) => withTestBus(1, fn);
const post = postRequest;

Deno.test("[edge] one rate limit for /pin/, /pin and /pins: invalid requests spend tokens too", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { rateLimit: 4 }, { now: () => 0 });
    assert.equal((await app.request(post("/pin/", "{}"))).status, 422);
    assert.equal((await app.request(post("/pin", "not json"))).status, 400);
    assert.equal((await app.request(post("/pins", "[{}]"))).status, 200);
    assert.equal((await app.request(post("/pin/", JSON.stringify(seedPin())))).status, 200);
    const limited = await app.request(post("/pin/", JSON.stringify(seedPin())));
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "1");
    const dlq = await readTopic(bus, TOPICS.dlq, 2);
    assert.equal(dlq.length, 2, "each invalid event dead-lettered once, within the tokens");
    await ingestor.close();
  });
});

Deno.test("[edge] a /pins batch larger than the rate limit's burst is a 413 naming the limit", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { rateLimit: 5 }, { now: () => 0 });
    const response = await app.request(
      post("/pins", JSON.stringify(Array.from({ length: 6 }, fullPin))),
    );
    assert.equal(response.status, 413);
    assert.equal(response.headers.get("retry-after"), null);
    const body = await response.json();
    assert.match(body.error, /6 in one request, the limit is 5 events\/s per key/);
    await ingestor.close();
  });
});

Deno.test("[edge] a failed dead-letter write is logged and counted; the durable events still get 200", async () => {
  await withBus(async (bus) => {
    const dlqDown: Bus = {
      ...bus,
      produce: (topic, records) =>
        topic === TOPICS.dlq ? Promise.reject(new Error("disk full")) : bus.produce(topic, records),
    };
    const { app, ingestor, metrics } = buildEdge(dlqDown, TOPICS);
    const response = await app.request(
      post("/pins", JSON.stringify([fullPin(), { ...fullPin(), index: "x" }])),
    );
    assert.equal(response.status, 200, await response.clone().text());
    const body = await response.json();
    assert.equal(body.accepted, 1);
    assert.deepEqual(body.rejected.map((r: { index: number }) => r.index), [1]);
    assert.equal((await readTopic(bus, TOPICS.pins, 1)).length, 1);
    assert.equal((await app.request(post("/pin/", "{}"))).status, 422);
    const text = await metrics.registry.metrics();
    assert.match(text, /pipeline_ingest_dead_letter_failures_total 2/);
    assert.match(text, /pipeline_ingest_dead_letters_total 0/);
    await ingestor.close();
  });
});

Deno.test("[edge] /pins lists every rejected index and at most 100 problems across them, the rest counted", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS);
    const response = await app.request(
      post("/pins", JSON.stringify([fullPin(), ...Array.from({ length: 50 }, () => ({}))])),
    );
    const body = await response.json();
    assert.equal(body.accepted, 1);
    const listed = body.rejected.flatMap((r: { problems: unknown[] }) => r.problems);
    assert.equal(listed.length, 100);
    assert.equal(body.problems_omitted, 50 * 12 - 100);
    assert.deepEqual(body.rejected.map((r: { index: number }) => r.index), [
      ...Array.from({ length: 50 }, (_, i) => i + 1),
    ]);
    await ingestor.close();
  });
});

Deno.test("[edge] a /pins body is counted before it is validated: a flood of items is a quick 413", async (t) => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { maxEvents: 10_000 });
    const lines = "{}\n".repeat(1_700_000);
    const array = `[${"{},".repeat(1_700_000)}{}]`;
    for (
      const [name, request] of [
        ["NDJSON", post("/pins", lines, { "content-type": "application/x-ndjson" })],
        ["JSON array", post("/pins", array)],
      ] as const
    ) {
      await t.step(name, async () => {
        const started = performance.now();
        const response = await app.request(request);
        assert.equal(response.status, 413);
        assert.match((await response.json()).error, /more than 10000, at most 10000 per request/);
        assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
      });
    }
    await ingestor.close();
  });
});

Deno.test("[edge] deep nesting in one /pins item is rejected alone, without parsing it", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS);
    const deep = "[".repeat(2_500_000) + "]".repeat(2_500_000);
    const started = performance.now();
    const response = await app.request(post("/pins", `[${deep},${JSON.stringify(fullPin())}]`));
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.accepted, 1);
    assert.match(body.rejected[0].problems[0].message, /Nested too deeply/);
    assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
    await ingestor.close();
  });
});

Deno.test("[edge] Content-Encoding: gzip is accepted and bounded after decompression", async (t) => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { maxBytes: 64 * 1024 });
    const gzip = (text: string) =>
      gzipBytes(new TextEncoder().encode(text)) as Promise<Uint8Array<ArrayBuffer>>;
    await t.step("a gzip batch", async () => {
      const body = await gzip(JSON.stringify([fullPin(), seedPin()]));
      const response = await app.request(
        post("/pins", body, { ...JSON_HEADERS, "content-encoding": "gzip" }),
      );
      assert.equal(response.status, 200);
      assert.equal((await response.json()).accepted, 2);
    });
    await t.step("a bomb", async () => {
      const bomb = await gzip(`[${"{},".repeat(10_000_000)}{}]`);
      const response = await app.request(
        post("/pins", bomb, { ...JSON_HEADERS, "content-encoding": "gzip" }),
      );
      assert.equal(response.status, 413);
    });
    await t.step("a plain body labelled gzip", async () => {
      const response = await app.request(
        post("/pin/", JSON.stringify(seedPin()), { ...JSON_HEADERS, "content-encoding": "gzip" }),
      );
      assert.equal(response.status, 400);
    });
    await t.step("another encoding", async () => {
      const response = await app.request(
        post("/pin/", JSON.stringify(seedPin()), { ...JSON_HEADERS, "content-encoding": "br" }),
      );
      assert.equal(response.status, 415);
    });
    await ingestor.close();
  });
});

Deno.test("[edge] past INGEST_MAX_INFLIGHT_BYTES a request is a 503 with Retry-After, and nothing of it is accepted", async () => {
  await withBus(async (bus) => {
    const held = Promise.withResolvers<void>();
    let produced = 0;
    const slow: Bus = {
      ...bus,
      produce: async (topic, records) => {
        produced++;
        await held.promise;
        return bus.produce(topic, records);
      },
    };
    const { app, ingestor } = buildEdge(slow, TOPICS, {
      maxBytes: 1024 * 1024,
      maxInFlightBytes: 1024 * 1024,
    });
    const body = JSON.stringify(Array.from({ length: 1000 }, fullPin));
    const headers = { ...JSON_HEADERS, "content-length": String(body.length) };
    const first = app.request(post("/pins", body, headers));
    while (produced === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await app.request(post("/pins", body, headers));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.match((await refused.json()).error, /nothing was accepted/);
    held.resolve();
    assert.equal((await first).status, 200);
    assert.equal((await readTopic(bus, TOPICS.pins, 1000)).length, 1000);
    await ingestor.close();
  });
});
