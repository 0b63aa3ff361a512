import assert from "node:assert/strict";
import type { Bus } from "../../lib/bus/bus.ts";
import {
  buildEdge,
  JSON_HEADERS,
  postRequest,
  TEST_TOPICS,
  withTestBus,
} from "../fixtures/edge_harness.ts";
import { readTopic } from "../fixtures/read_topic.ts";
import { fullPin, seedPin } from "../fixtures/seed_pins.ts";

const TOPICS = TEST_TOPICS;
const withBus = (fn: (bus: Bus) => Promise<void>) => withTestBus(3, fn);
const post = postRequest;

async function errorOf(response: Response, status: number) {
  assert.equal(response.status, status, await response.clone().text());
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = await response.json() as {
    error: string;
    problems: Array<{ path: string; message: string }>;
  };
  assert.equal(typeof body.error, "string");
  assert.ok(Array.isArray(body.problems));
  return body;
}

Deno.test("[edge] POST /pin/ echoes the event with event_id and received_at, after it is durable", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS);
    const response = await app.request(post("/pin/", JSON.stringify(seedPin())));
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.deepEqual({ ...body, event_id: undefined, received_at: undefined }, {
      ...seedPin(),
      event_id: undefined,
      received_at: undefined,
    });
    assert.match(body.event_id, /^[0-9a-f-]{8}-[0-9a-f]{4}-7/);
    assert.ok(Math.abs(Date.parse(body.received_at) - Date.now()) < 60_000);
    const [record] = await readTopic(bus, TOPICS.pins, 1);
    assert.deepEqual(JSON.parse(record!.value), body);
    await ingestor.close();
  });
});

Deno.test("[edge] POST /pin without the slash, a client event_id and unknown fields are kept", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS);
    const event = {
      ...fullPin(),
      event_id: "client-1",
      event_time: "2026-01-02T03:04:05Z",
      extra: [1],
    };
    const response = await app.request(post("/pin", JSON.stringify(event)));
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.event_id, "client-1");
    assert.deepEqual(body.extra, [1]);
    const [record] = await readTopic(bus, TOPICS.pins, 1);
    assert.equal(record!.key, fullPin().poster_name);
    await ingestor.close();
  });
});

Deno.test("[edge] bad input gets the right 4xx and the edge keeps serving", async (t) => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { maxBytes: 1024 * 1024 });
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const cases: Array<[string, Request, number, RegExp]> = [
      ["truncated JSON", post("/pin/", '{"index": 1, "title": "x'), 400, /not valid JSON/],
      ["empty body", post("/pin/", ""), 400, /empty/],
      ["invalid UTF-8", post("/pin/", new Uint8Array([0x7b, 0xc3, 0x28, 0x7d])), 400, /UTF-8/],
      ["an array where an object belongs", post("/pin/", "[]"), 422, /Invalid pin event/],
      ["wrong types", post("/pin/", JSON.stringify({ ...seedPin(), index: "1" })), 422, /Invalid/],
      ["missing fields", post("/pin/", "{}"), 422, /Invalid/],
      ["deep nesting", post("/pin/", deep), 422, /Invalid/],
      [
        "10 MB string",
        post("/pin/", JSON.stringify({ ...seedPin(), title: "x".repeat(10_000_000) })),
        413,
        /exceeds/,
      ],
      [
        "wrong content type",
        post("/pin/", JSON.stringify(seedPin()), { "content-type": "text/plain" }),
        415,
        /text\/plain/,
      ],
      [
        "form body",
        post("/pins", "a=1", { "content-type": "application/x-www-form-urlencoded" }),
        415,
        /Unsupported/,
      ],
      [
        "an object where an array belongs",
        post("/pins", JSON.stringify(seedPin())),
        422,
        /JSON array/,
      ],
    ];
    for (const [name, request, status, message] of cases) {
      await t.step(name, async () => {
        const body = await errorOf(await app.request(request), status);
        assert.match(body.error, message);
      });
    }
    await t.step("a schema violation names each field", async () => {
      const response = await app.request(
        post("/pin/", JSON.stringify({ ...seedPin(), index: 1.5, downloaded: "no" })),
      );
      const body = await errorOf(response, 422);
      assert.deepEqual(body.problems.map((p) => p.path), ["index", "downloaded"]);
    });
    await t.step("a body streamed without Content-Length is cut at the limit", async () => {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 64 * 1024;
          controller.enqueue(new Uint8Array(64 * 1024).fill(0x20));
          if (sent > 64 * 1024 * 1024) controller.close();
        },
      });
      const request = new Request("http://edge/pin/", {
        method: "POST",
        body: stream,
        headers: JSON_HEADERS,
      });
      await errorOf(await app.request(request), 413);
      assert.ok(sent < 4 * 1024 * 1024, `read ${sent} bytes before refusing`);
    });
    await t.step("still serving", async () => {
      assert.equal((await app.request(post("/pin/", JSON.stringify(seedPin())))).status, 200);
    });
    await t.step("unknown route is a JSON 404", async () => {
      await errorOf(await app.request("http://edge/nope"), 404);
    });
    await ingestor.close();
  });
});

Deno.test("[edge] POST /pins accepts the valid events, lists the rest and dead-letters them", async (t) => {
  await withBus(async (bus) => {
    const { app, ingestor, metrics } = buildEdge(bus, TOPICS, { maxEvents: 100 });
    await t.step("JSON array", async () => {
      const events = [fullPin(), { ...fullPin(), index: "x" }, seedPin(), "not an object"];
      const response = await app.request(post("/pins", JSON.stringify(events)));
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.accepted, 2);
      assert.deepEqual(body.rejected.map((r: { index: number }) => r.index), [1, 3]);
      assert.equal(body.rejected[0].problems[0].path, "[1].index");
    });
    await t.step("NDJSON", async () => {
      const text = [JSON.stringify(fullPin()), "{broken", JSON.stringify(seedPin()), ""].join("\n");
      const response = await app.request(
        post("/pins", text, { "content-type": "application/x-ndjson" }),
      );
      assert.equal(response.status, 200);
      const body = await response.json();
      assert.equal(body.accepted, 2);
      assert.deepEqual(body.rejected.map((r: { index: number }) => r.index), [1]);
    });
    await t.step(
      "every accepted event is in the topic and every rejected one in the DLQ",
      async () => {
        assert.equal((await readTopic(bus, TOPICS.pins, 4)).length, 4);
        const letters = (await readTopic(bus, TOPICS.dlq, 3)).map((r) => JSON.parse(r.value));
        assert.deepEqual(letters.map((l) => l.raw), [
          JSON.stringify({ ...fullPin(), index: "x" }),
          '"not an object"',
          "{broken",
        ]);
        assert.equal(letters[2].problems[0].path, "[1]");
        assert.ok(letters.every((l) => l.source === "edge:/pins" && l.received_at));
      },
    );
    await t.step("over the event limit is a 413", async () => {
      const events = Array.from({ length: 101 }, fullPin);
      const body = await errorOf(await app.request(post("/pins", JSON.stringify(events))), 413);
      assert.match(body.error, /at most 100/);
    });
    await t.step("metrics count what happened", async () => {
      const text = await metrics.registry.metrics();
      assert.match(text, /pipeline_ingest_events_accepted_total 4/);
      assert.match(text, /pipeline_ingest_events_rejected_total\{reason="invalid"\} 3/);
      assert.match(
        text,
        /pipeline_http_requests_total\{route="\/pins",method="POST",status="413"\} 1/,
      );
    });
    await ingestor.close();
  });
});

Deno.test("[edge] write keys: 401 without or with a wrong key, 200 with Bearer or X-API-Key", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { apiKeys: ["k1", "k2"] });
    const body = JSON.stringify(seedPin());
    const missing = await app.request(post("/pin/", body));
    await errorOf(missing, 401);
    assert.equal(missing.headers.get("www-authenticate"), "Bearer");
    await errorOf(
      await app.request(post("/pin/", body, { ...JSON_HEADERS, "x-api-key": "nope" })),
      401,
    );
    const bearer = await app.request(
      post("/pin/", body, { ...JSON_HEADERS, authorization: "Bearer k1" }),
    );
    assert.equal(bearer.status, 200);
    const header = await app.request(
      post("/pins", `[${body}]`, { ...JSON_HEADERS, "x-api-key": "k2" }),
    );
    assert.equal(header.status, 200);
    assert.equal((await app.request("http://edge/health")).status, 200);
    await ingestor.close();
  });
});

Deno.test("[edge] a per-key rate limit answers 429 with Retry-After", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS, { rateLimit: 5 });
    const body = JSON.stringify(Array.from({ length: 5 }, fullPin));
    assert.equal((await app.request(post("/pins", body))).status, 200);
    const limited = await app.request(post("/pins", body));
    await errorOf(limited, 429);
    assert.equal(limited.headers.get("retry-after"), "1");
    await ingestor.close();
  });
});

Deno.test("[edge] a bus that does not acknowledge in time gives 503 with Retry-After, not a hang", async () => {
  await withBus(async (bus) => {
    const stalled: Bus = { ...bus, produce: () => new Promise(() => {}) };
    const { app } = buildEdge(stalled, TOPICS, { produceTimeoutMs: 200 });
    const started = performance.now();
    const response = await app.request(post("/pin/", JSON.stringify(seedPin())));
    const body = await errorOf(response, 503);
    assert.ok(performance.now() - started < 2000);
    assert.equal(response.headers.get("retry-after"), "5");
    assert.match(body.error, /did not acknowledge within 200 ms/);
  });
});

Deno.test("[edge] GET /health, /metrics and /openapi.json", async () => {
  await withBus(async (bus) => {
    const { app, ingestor } = buildEdge(bus, TOPICS);
    const health = await app.request("http://edge/health");
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "ok");
    const metrics = await app.request("http://edge/metrics");
    assert.match(metrics.headers.get("content-type") ?? "", /text\/plain/);
    const text = await metrics.text();
    for (
      const name of [
        "pipeline_http_requests_total",
        "pipeline_produce_duration_seconds",
        "pipeline_process_resident_memory_bytes",
        "pipeline_http_requests_in_flight",
      ]
    ) {
      assert.ok(text.includes(name), `missing ${name}`);
    }
    const openapi = await (await app.request("http://edge/openapi.json")).json();
    assert.equal(openapi.openapi, "3.1.0");
    assert.ok(openapi.paths["/pin/"].post.responses["422"]);
    assert.ok(openapi.paths["/pins"].post);
    await ingestor.close();
  });
});
