import assert from "node:assert/strict";
import { apiKeyAuth, keyMatcher, presentedKey } from "../../edge/http/api_key_auth.ts";
import { middlewareApp } from "../fixtures/middleware_app.ts";

Deno.test("[api_key_auth] the key comes from Bearer, X-API-Key or the password of Basic", () => {
  const key = (headers: Record<string, string>) => presentedKey(new Headers(headers));
  assert.equal(key({ authorization: "Bearer k1" }), "k1");
  assert.equal(key({ authorization: "bearer  k1 " }), "k1");
  assert.equal(key({ "x-api-key": "k2" }), "k2");
  assert.equal(key({ authorization: `Basic ${btoa("reader:k3")}` }), "k3");
  assert.equal(key({ authorization: `Basic ${btoa("k4")}` }), "k4");
  assert.equal(key({ authorization: "Basic %%%" }), null);
  assert.equal(key({}), null);
});

Deno.test("[api_key_auth] keys match by SHA-256 digest: exactly, whatever their lengths", () => {
  const matches = keyMatcher(["k1", "a much longer key with spaces", "ключ"]);
  for (const key of ["k1", "a much longer key with spaces", "ключ"]) assert.ok(matches(key), key);
  for (const key of ["", "k", "k12", "K1", "a much longer key with space", "ключи"]) {
    assert.ok(!matches(key), key);
  }
  assert.ok(!keyMatcher([])("k1"));
});

Deno.test("[api_key_auth] with keys, a request without one of them gets a JSON 401 and goes no further", async () => {
  let reached = 0;
  const app = middlewareApp(
    [apiKeyAuth({ keys: ["k1"], challenge: 'Basic realm="x"' })],
    (c) => {
      reached++;
      return c.text(c.var.apiKey);
    },
  );
  const attempts: Array<Record<string, string>> = [
    {},
    { "x-api-key": "k2" },
    { authorization: "Bearer k" },
  ];
  for (const headers of attempts) {
    const response = await app.request("http://edge/", { headers });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Basic realm="x"');
    const body = await response.json();
    assert.match(body.error, /API key/);
    assert.equal(body.problems[0].path, "Authorization");
  }
  assert.equal(reached, 0);
  const ok = await app.request("http://edge/", { headers: { authorization: "Bearer k1" } });
  assert.equal(await ok.text(), "k1");
});

Deno.test("[api_key_auth] without keys, every request passes as anonymous, whatever key it sends", async () => {
  const app = middlewareApp([apiKeyAuth({ keys: [] })], (c) => c.text(c.var.apiKey));
  const response = await app.request("http://edge/", { headers: { "x-api-key": "made-up" } });
  assert.equal(await response.text(), "anonymous");
});
