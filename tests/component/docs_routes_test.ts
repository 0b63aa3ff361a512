import assert from "node:assert/strict";
import type { Hono } from "hono";
import { createApp } from "../../edge/app.ts";
import { loadDashboardAssets } from "../../edge/dashboard/dashboard_assets.ts";
import { openApiDocument } from "../../edge/openapi.ts";
import type { Bus } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { createEdgeMetrics } from "../../edge/http/edge_metrics.ts";
import { createIngestor } from "../../lib/ingest/ingest.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import type { IngestConfig } from "../../lib/runtime/config.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import { TEST_LIMITS } from "../fixtures/edge_harness.ts";

const silent = createLogger({ level: "silent" });
const assets = await loadDashboardAssets();

async function withEdge(
  limits: Partial<IngestConfig>,
  fn: (app: ReturnType<typeof createApp>) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "docs-" });
  let bus: Bus | null = null;
  const ingestor = async (opened: Bus) => {
    await opened.ensureTopics([{ name: "pins", partitions: 1 }, {
      name: "pins.dlq",
      partitions: 1,
    }]);
    return createIngestor({
      bus: opened,
      pinsTopic: "pins",
      dlqTopic: "pins.dlq",
      timeoutMs: 5000,
      newId: createUuidV7(),
    });
  };
  try {
    bus = await createEmbeddedBus({ dir, logger: silent });
    const ingest = await ingestor(bus);
    try {
      await fn(createApp({
        ingestor: ingest,
        bus,
        metrics: createEdgeMetrics(createProcessRegistry()),
        limits: { ...TEST_LIMITS, ...limits },
        logger: silent,
        dashboard: assets,
      }));
    } finally {
      await ingest.close();
    }
  } finally {
    await bus?.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[docs] GET /docs serves the API reference and Swagger UI's files from the npm package", async (t) => {
  await withEdge({}, async (app) => {
    const page = await app.request("http://edge/docs");
    const html = await page.text();
    await t.step("the page", () => {
      assert.equal(page.status, 200);
      assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
      assert.equal(page.headers.get("cache-control"), "no-cache");
      assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
      assert.match(html, /<title>Pin pipeline · API reference<\/title>/);
      assert.doesNotMatch(html, /\{\{|https?:\/\//, "no placeholder or remote URL left");
    });
    const links = [...html.matchAll(/(?:href|src)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    await t.step(
      "every file the page links to, immutable and without a source map link",
      async () => {
        const names = links.map((link) => new URL(link, "http://edge").pathname.split("/").pop());
        assert.deepEqual(
          names.sort(),
          ["docs.css", "docs.js", "swagger-ui-bundle.js", "swagger-ui.css"],
        );
        for (const link of links) {
          const response = await app.request(`http://edge${link}`);
          assert.equal(response.status, 200, link);
          assert.equal(
            response.headers.get("cache-control"),
            "public, max-age=31536000, immutable",
          );
          assert.match(response.headers.get("content-type") ?? "", /^text\/(javascript|css)/);
          assert.doesNotMatch(await response.text(), /sourceMappingURL/, link);
        }
      },
    );
    await t.step("Swagger UI's bundle: the package's own file, gzipped when asked", async () => {
      const link = links.find((l) => l.includes("swagger-ui-bundle.js"))!;
      const plain = await (await app.request(`http://edge${link}`)).text();
      assert.ok(plain.length > 1_000_000, `${plain.length} characters`);
      assert.match(plain, /SwaggerUIBundle/);
      const gz = await app.request(`http://edge${link}`, {
        headers: { "accept-encoding": "gzip" },
      });
      assert.equal(gz.headers.get("content-encoding"), "gzip");
      assert.ok((await gz.bytes()).byteLength < plain.length / 2);
    });
    await t.step("304 for a known ETag, /docs/ redirects, 404 for an unknown file", async () => {
      const again = await app.request("http://edge/docs", {
        headers: { "if-none-match": page.headers.get("etag")! },
      });
      assert.equal(again.status, 304);
      const slash = await app.request("http://edge/docs/");
      assert.equal(slash.status, 301);
      assert.equal(slash.headers.get("location"), "/docs");
      const missing = await app.request("http://edge/docs/assets/nope.js");
      assert.equal(missing.status, 404);
      assert.match((await missing.json()).error, /No API reference file named 'nope\.js'/);
    });
  });
});

type Operation = { responses: Record<string, unknown> };
type PathItem = { post?: Operation; $ref?: string };

/** A path item of the document, its JSON Reference followed. */
function _pathItem(path: string): PathItem {
  const paths = openApiDocument.paths as Record<string, PathItem>;
  const item = paths[path]!;
  if (!item.$ref) return item;
  const target = item.$ref.replace(/^#\/paths\//, "").replaceAll("~1", "/").replaceAll("~0", "~");
  return paths[target]!;
}

Deno.test("[docs] POST /pin is documented like POST /pin/, with every status it answers", async () => {
  assert.deepEqual(
    Object.keys(_pathItem("/pin").post!.responses),
    Object.keys(_pathItem("/pin/").post!.responses),
    "/pin answers like /pin/",
  );
  const documented = Object.keys(_pathItem("/pin").post!.responses);
  const seen = new Set<string>();
  const pin = createPinGenerator({ seed: 9 });
  const post = (app: Hono) => async (body: string, headers: Record<string, string>) => {
    const response = await app.request("http://edge/pin", { method: "POST", body, headers });
    seen.add(String(response.status));
    await response.body?.cancel();
    return response.status;
  };
  const json = { "content-type": "application/json", "x-api-key": "k" };
  await withEdge({ apiKeys: ["k"], rateLimit: 0, maxBytes: 2048 }, async (app) => {
    const send = post(app);
    assert.equal(await send(JSON.stringify(pin()), json), 200);
    assert.equal(await send(JSON.stringify(pin()), { "content-type": "application/json" }), 401);
    assert.equal(await send("{", json), 400);
    assert.equal(await send(JSON.stringify({ index: "x" }), json), 422);
    assert.equal(await send("x".repeat(4096), json), 413);
    assert.equal(await send("a=b", { ...json, "content-type": "text/plain" }), 415);
  });
  await withEdge({ apiKeys: ["k"], rateLimit: 1, maxBytes: 2048 }, async (app) => {
    const send = post(app);
    assert.equal(await send(JSON.stringify(pin()), json), 200);
    assert.equal(await send(JSON.stringify(pin()), json), 429);
  });
  for (const status of [...seen, "503"]) {
    assert.ok(documented.includes(status), `POST /pin answers ${status}, not documented`);
  }
});
