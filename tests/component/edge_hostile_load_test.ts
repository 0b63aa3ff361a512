/**
 * The edge as deployed (a child process on the embedded adapters) under 64
 * concurrent requests of `INGEST_MAX_BYTES` each, in shapes built to cost
 * the most memory and time per byte (tests/fixtures/hostile_requests.ts,
 * sent from a process of their own), then each shape alone: it stays up,
 * answers every request within 10 s with a 2xx, 4xx or 503 (and each shape
 * alone with what it deserves), keeps its peak memory under 1 GiB, and
 * answers `/health` within 1 s throughout.
 */

import assert from "node:assert/strict";
import { startEdgeProcess } from "../fixtures/edge_process.ts";
import type { HostileRun } from "../fixtures/hostile_requests.ts";
import { REPO_ROOT } from "../services/paths.ts";

const MAX_BYTES = 5 * 1024 * 1024;
const GIB = 1024 * 1024 * 1024;
const MIB = 1024 * 1024;

/** What each shape deserves when it is sent alone. */
const EXPECTED = {
  "'{}' lines": 413,
  "an array of '{}'": 413,
  "deep nesting in one item": 200,
  "a huge string": 200,
  "a huge string to /pin/": 422,
  "many values in one item": 200,
};

Deno.test({
  name: "[edge process] 64 concurrent hostile requests of INGEST_MAX_BYTES: it stays up, bounded",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const edge = await startEdgeProcess({ INGEST_MAX_BYTES: String(MAX_BYTES) });
    try {
      const idle = await edge.peakRssBytes();
      const sender = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--allow-net",
          "tests/fixtures/hostile_requests.ts",
          edge.url,
          String(MAX_BYTES),
          "64",
        ],
        cwd: REPO_ROOT,
        stdout: "piped",
      }).output();
      const health: number[] = [];
      let sending = true;
      const probes = (async () => {
        while (sending) {
          const started = performance.now();
          await fetch(`${edge.url}/health`, { signal: AbortSignal.timeout(5000) })
            .then((response) => response.body?.cancel(), () => {});
          health.push(performance.now() - started);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const output = await sender.finally(() => sending = false);
      await probes;
      const { burst, each } = JSON.parse(new TextDecoder().decode(output.stdout)) as HostileRun;
      const answers = [...burst, ...each];
      const peak = await edge.peakRssBytes();
      const sorted = [...health].sort((a, b) => a - b);
      const statuses: Record<string, Array<number | string>> = {};
      for (const { shape, status } of burst) (statuses[shape] ??= []).push(status);
      const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
      console.log(
        `peak RSS ${(peak / MIB).toFixed(0)} MiB (${(idle / MIB).toFixed(0)} MiB before); ` +
          `/health ${health.length} probes, median ${
            sorted[sorted.length >> 1]?.toFixed(0)
          } ms, max ${sorted.at(-1)?.toFixed(0)} ms; slowest answer ${
            slowest.ms.toFixed(0)
          } ms (${slowest.shape}); at once ${JSON.stringify(statuses)}; alone ${
            JSON.stringify(Object.fromEntries(each.map((a) => [a.shape, a.status])))
          }`,
      );
      assert.equal(burst.length, 64);
      assert.deepEqual(Object.fromEntries(each.map((a) => [a.shape, a.status])), EXPECTED);
      assert.ok(!edge.exited(), "the edge exited");
      for (const { shape, status } of answers) {
        assert.ok(
          typeof status === "number" && (status < 500 || status === 503),
          `${shape} was answered ${status}`,
        );
      }
      assert.ok(peak < GIB, `peak RSS ${peak} bytes`);
      assert.ok(sorted.at(-1)! < 1000, `/health took ${sorted.at(-1)} ms`);
      const after = await fetch(`${edge.url}/health`);
      assert.equal(after.status, 200, await after.text());
    } finally {
      await edge.stop();
    }
  },
});
