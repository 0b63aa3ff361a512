/**
 * The container health check of the pipeline's services in compose.yaml
 * (the Deno image has no curl): exits 0 when the URL answers 2xx within
 * 3 seconds, 1 otherwise.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 ops/healthcheck.ts http://127.0.0.1:8000/health
 * ```
 *
 * @module
 */

const url = Deno.args[0];
if (url === undefined) {
  Deno.stderr.writeSync(new TextEncoder().encode("Usage: healthcheck.ts <url>\n"));
  Deno.exit(2);
}
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  await response.body?.cancel();
  Deno.exit(response.ok ? 0 : 1);
} catch {
  Deno.exit(1);
}
