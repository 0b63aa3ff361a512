import assert from "node:assert/strict";
import { HttpError } from "../../edge/http/http_error.ts";
import { cancelUnreadBody } from "../../edge/http/unread_body.ts";
import { middlewareApp } from "../fixtures/middleware_app.ts";

function endlessBody() {
  const state = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      controller.enqueue(new Uint8Array(1024));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

Deno.test("[unread_body] a body left unread by a refusal is cancelled, not read", async () => {
  const app = middlewareApp([cancelUnreadBody()], () => {
    throw new HttpError(503, "Too many request bytes in flight");
  });
  const { body, state } = endlessBody();
  const response = await app.request("http://edge/", { method: "POST", body });
  assert.equal(response.status, 503);
  assert.ok(state.cancelled);
  assert.ok(state.pulled <= 1, `pulled ${state.pulled} chunks`);
});

Deno.test("[unread_body] a body the handler read is left alone", async () => {
  const app = middlewareApp([cancelUnreadBody()], async (c) => c.text(await c.req.text()));
  const response = await app.request("http://edge/", { method: "POST", body: "kept" });
  assert.equal(await response.text(), "kept");
});
