import assert from "node:assert/strict";
import { reservationOf } from "../../edge/http/in_flight_bytes.ts";
import { ingestPolicy } from "../../edge/http/ingest_policy.ts";
import { middlewareApp } from "../fixtures/middleware_app.ts";

Deno.test("[in_flight_bytes] a request reserves its declared size, or the most a body may take", () => {
  const reserve = (headers: Record<string, string>) => reservationOf(new Headers(headers), 1000);
  assert.equal(reserve({ "content-length": "300" }), 300);
  assert.equal(reserve({ "content-length": "0" }), 0);
  assert.equal(reserve({}), 1000, "unknown length");
  assert.equal(reserve({ "content-length": "300", "content-encoding": "gzip" }), 1000);
  assert.equal(reserve({ "content-length": "300", "content-encoding": "identity" }), 300);
  assert.equal(reserve({ "content-length": "5000" }), 0, "refused unread by the body limit");
  assert.equal(reserve({ "content-length": "-1" }), 1000);
});

Deno.test("[in_flight_bytes] past the cap a request is answered 503 unread, and the bytes come back", async () => {
  const changes: number[] = [];
  const release = Promise.withResolvers<void>();
  let entered = 0;
  const app = middlewareApp(
    [ingestPolicy({
      keys: [],
      rate: 0,
      capBytes: 1000,
      maxBodyBytes: 800,
      onReserved: (b) => changes.push(b),
    })],
    async (c) => {
      entered++;
      await release.promise;
      return c.text(String(c.var.body.length));
    },
  );
  const post = (size: number) =>
    app.request("http://edge/", {
      method: "POST",
      body: "x".repeat(size),
      headers: { "content-length": String(size) },
    });
  const first = post(700);
  while (entered === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const refused = await post(301);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("retry-after"), "1");
  assert.equal(refused.headers.get("connection"), "close");
  assert.match((await refused.json()).error, /700 reserved, 301 more asked, the cap is 1000/);
  assert.equal(entered, 1);
  const second = post(300);
  release.resolve();
  assert.equal(await (await first).text(), "700");
  assert.equal(await (await second).text(), "300");
  assert.deepEqual(changes, [700, 1000, 300, 0]);
});

Deno.test("[in_flight_bytes] a cap below the body limit is refused", () => {
  assert.throws(
    () => ingestPolicy({ keys: [], rate: 0, capBytes: 100, maxBodyBytes: 200 }),
    /at least the body limit, 200/,
  );
});
