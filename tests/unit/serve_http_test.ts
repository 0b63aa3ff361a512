import assert from "node:assert/strict";
import { ConfigError } from "../../lib/runtime/config.ts";
import { serveHttp } from "../../lib/runtime/serve_http.ts";

Deno.test("[serveHttp] serves on a free port and reports its URL", async () => {
  const server = await serveHttp(
    { hostname: "127.0.0.1", port: 0, portVariable: "PORT" },
    () => new Response("ok"),
  );
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(await (await fetch(server.url)).text(), "ok");
  } finally {
    await server.shutdown();
  }
});

Deno.test("[serveHttp] a port in use names the address and the variable", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const { port } = taken.addr;
    await assert.rejects(
      serveHttp(
        { hostname: "127.0.0.1", port, portVariable: "METRICS_PORT" },
        () => new Response(),
      ),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.variable, "METRICS_PORT");
        assert.equal(
          error.message,
          `Cannot listen on 127.0.0.1:${port}: address already in use (set METRICS_PORT)`,
        );
        return true;
      },
    );
  } finally {
    taken.close();
  }
});
