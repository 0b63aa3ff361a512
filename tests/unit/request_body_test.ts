import assert from "node:assert/strict";
import { ingestPolicy } from "../../edge/http/ingest_policy.ts";
import { gzipBytes } from "../fixtures/gzip.ts";
import { middlewareApp } from "../fixtures/middleware_app.ts";

const LIMIT = 64 * 1024;
const app = middlewareApp(
  [ingestPolicy({ keys: [], rate: 0, capBytes: LIMIT, maxBodyBytes: LIMIT })],
  (c) => c.text(new TextDecoder().decode(c.var.body)),
);

function post(body: BodyInit, headers: Record<string, string> = {}) {
  return app.request("http://edge/", { method: "POST", body, headers });
}

Deno.test("[request_body] identity and gzip bodies are read; gzip is decompressed", async () => {
  assert.equal(await (await post("plain")).text(), "plain");
  assert.equal(await (await post("plain", { "content-encoding": "identity" })).text(), "plain");
  const zipped = await gzipBytes(new TextEncoder().encode('{"a":1}'));
  const response = await post(zipped as Uint8Array<ArrayBuffer>, { "content-encoding": "GZIP" });
  assert.equal(await response.text(), '{"a":1}');
});

Deno.test("[request_body] the limit applies before and after decompression; a bomb is cut quickly", async (t) => {
  await t.step("a declared length over the limit", async () => {
    const response = await post("x".repeat(LIMIT + 1));
    assert.equal(response.status, 413);
    assert.match((await response.json()).error, /Request body exceeds 65536 bytes/);
  });
  await t.step("a stream without a length", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024));
        if (sent > 64 * 1024 * 1024) controller.close();
      },
    });
    assert.equal((await post(stream)).status, 413);
    assert.ok(sent < 1024 * 1024, `read ${sent} bytes`);
  });
  await t.step("64 MiB of zeros in 64 KiB of gzip", async () => {
    const bomb = await gzipBytes(new Uint8Array(64 * 1024 * 1024));
    assert.ok(bomb.byteLength < LIMIT);
    const started = performance.now();
    const response = await post(bomb as Uint8Array<ArrayBuffer>, { "content-encoding": "gzip" });
    assert.equal(response.status, 413);
    assert.match((await response.json()).error, /Decompressed body exceeds 65536 bytes/);
    assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
  });
});

Deno.test("[request_body] a plain body labelled gzip is a 400; other encodings are 415", async () => {
  const notGzip = await post('{"a":1}', { "content-encoding": "gzip" });
  assert.equal(notGzip.status, 400);
  assert.match((await notGzip.json()).error, /labelled gzip but is not valid gzip/);
  for (const encoding of ["br", "deflate", "gzip, gzip", "compress"]) {
    const response = await post("x", { "content-encoding": encoding });
    assert.equal(response.status, 415, encoding);
    const body = await response.json();
    assert.equal(body.problems[0].path, "Content-Encoding");
  }
});
