import assert from "node:assert/strict";
import { HttpError } from "../../edge/http/http_error.ts";
import { ingestPolicy } from "../../edge/http/ingest_policy.ts";
import { middlewareApp } from "../fixtures/middleware_app.ts";

function limitedApp(rate: number, handler: Parameters<typeof middlewareApp>[1]) {
  const refused: number[] = [];
  const app = middlewareApp(
    [ingestPolicy({
      keys: ["a", "b"],
      rate,
      capBytes: 1024,
      maxBodyBytes: 1024,
      now: () => 0,
      onLimited: (events) => refused.push(events),
    })],
    handler,
  );
  const post = (key: string, events = 1) =>
    app.request("http://edge/", {
      method: "POST",
      headers: { "x-api-key": key },
      body: String(events),
    });
  return { post, refused };
}

Deno.test("[rate_limit] every request spends a token on arrival, even one the handler refuses", async () => {
  const { post, refused } = limitedApp(3, () => {
    throw new HttpError(422, "Invalid pin event");
  });
  for (let i = 0; i < 3; i++) assert.equal((await post("a")).status, 422);
  const limited = await post("a");
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "1");
  assert.equal((await post("b")).status, 422, "each key has its own bucket");
  assert.deepEqual(refused, [1]);
});

Deno.test("[rate_limit] a batch spends one token per event; more than the burst is a 413", async () => {
  const { post, refused } = limitedApp(10, (c) => {
    c.var.spendEvents(Number(new TextDecoder().decode(c.var.body)));
    return c.text("ok");
  });
  assert.equal((await post("a", 6)).status, 200);
  assert.equal((await post("a", 5)).status, 429, "6 + 5 tokens exceed 10");
  const tooBig = await post("b", 11);
  assert.equal(tooBig.status, 413);
  const body = await tooBig.json();
  assert.match(body.error, /11 in one request, the limit is 10 events\/s per key/);
  assert.equal(tooBig.headers.get("retry-after"), null);
  assert.deepEqual(refused, [5, 11]);
});

Deno.test("[rate_limit] a rate of 0 limits nothing", async () => {
  const { post } = limitedApp(0, (c) => {
    c.var.spendEvents(Number(new TextDecoder().decode(c.var.body)));
    return c.text("ok");
  });
  for (let i = 0; i < 20; i++) assert.equal((await post("a", 1000)).status, 200);
});
