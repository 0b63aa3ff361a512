import assert from "node:assert/strict";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { controlFilePath, readControlFile } from "../../lib/runtime/control_file.ts";
import { freePort } from "../fixtures/commands.ts";
import { REPO_ROOT } from "../services/paths.ts";

/** Unset every service variable the test machine may have: the embedded defaults. */
const _EMBEDDED = {
  KAFKA_BROKERS: "",
  DATABASE_URL: "",
  S3_ENDPOINT: "",
  CASSANDRA_CONTACT_POINTS: "",
  BATCH_SCHEDULE: "",
  LOG_LEVEL: "warn",
  NO_COLOR: "1",
};

interface _Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

async function _task(args: string[], env: Record<string, string>): Promise<_Run> {
  const started = performance.now();
  const output = await new Deno.Command("deno", {
    args: ["task", "-q", ...args],
    cwd: REPO_ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code: output.code,
    stdout: decode(output.stdout),
    stderr: decode(output.stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

async function _post(url: string, count: number, seed: number): Promise<void> {
  const next = createPinGenerator({ seed });
  const response = await fetch(`${url}/pins`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(Array.from({ length: count }, next)),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.accepted, count);
}

/** The summary table's row of a day: rows in and rows out. */
function _summaryRow(stderr: string, day: string): { rowsIn: number; rowsOut: number } {
  const row = new RegExp(`^${day} +ok +\\d+ +(\\d+) +\\d+ +\\d+ +\\d+ +(\\d+) `, "m").exec(stderr);
  assert.ok(row, `no summary row for ${day} in:\n${stderr}`);
  return { rowsIn: Number(row[1]), rowsOut: Number(row[2]) };
}

Deno.test({
  name:
    "[dev+batch+query] beside deno task dev, batch and query include every event posted before they start",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "dev-batch-" });
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ..._EMBEDDED,
      PIPELINE_DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: String(port),
    };
    const dev = new Deno.Command("deno", {
      args: ["task", "-q", "dev"],
      cwd: REPO_ROOT,
      env,
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    try {
      const deadline = Date.now() + 90_000;
      while (
        !(await fetch(`${url}/health`).then(
          async (r) => (await r.body?.cancel(), r.ok),
          () => false,
        ))
      ) {
        assert.ok(Date.now() < deadline, "dev did not answer within 90 s");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const control = (await readControlFile(dataDir))!;
      const today = new Date().toISOString().slice(0, 10);

      await t.step("dev announces its control listener in a 0600 file", async () => {
        assert.ok(control, "no control file");
        assert.equal((await Deno.stat(controlFilePath(dataDir))).mode! & 0o777, 0o600);
        assert.match(control.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(control.history.kind, "embedded");
      });

      await t.step("a wrong token gets 401", async () => {
        const response = await fetch(`${control.url}/batch`, {
          method: "POST",
          headers: { authorization: "Bearer wrong" },
          body: "{}",
        });
        assert.equal(response.status, 401);
        assert.match((await response.json()).error, /control token/);
      });

      await t.step(
        "40 events, then at once deno task batch --date today: 40 in the summary and the history",
        async () => {
          await _post(url, 40, 11);
          const run = await _task(["batch", "--date", today], env);
          assert.equal(run.code, 0, run.stderr);
          assert.match(run.stderr, /^batch: running in deno task dev \(pid \d+\)/m);
          assert.match(run.stderr, /flushed 40 event\(s\) of \d partition\(s\) to the archive/);
          assert.deepEqual(_summaryRow(run.stderr, today), { rowsIn: 40, rowsOut: 40 });
          console.log(`batch beside dev, start to summary: ${run.seconds.toFixed(2)} s`);
          const runs = await (await fetch(`${url}/history/runs`)).json();
          const ran = runs.find((r: { day: string }) => r.day === today);
          assert.equal(ran?.status, "succeeded");
          assert.equal(ran?.rowsOut, 40);
          const year = today.slice(0, 4);
          const categories = await (await fetch(`${url}/history/categories?year=${year}`)).json();
          assert.equal(categories.reduce((n: number, c: { pins: number }) => n + c.pins, 0), 40);
        },
      );

      await t.step("15 more, then at once deno task query: 55 in pins_raw", async () => {
        await _post(url, 15, 12);
        const run = await _task(
          ["query", "--format", "json", "SELECT count(*) AS n FROM pins_raw"],
          env,
        );
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), [{ n: 55 }]);
        assert.match(run.stderr, /flushed 15 event\(s\)/);
        console.log(`query beside dev, start to result: ${run.seconds.toFixed(2)} s`);
      });

      await t.step("Ctrl-C: dev stops and removes its control file", async () => {
        dev.kill("SIGINT");
        assert.equal((await dev.status).code, 0);
        assert.equal(await readControlFile(dataDir), null);
      });

      await t.step(
        "a stale control file is ignored with a note: batch runs by itself",
        async () => {
          await Deno.writeTextFile(
            controlFilePath(dataDir),
            JSON.stringify({ ...control, url: `http://127.0.0.1:${freePort()}` }),
          );
          const run = await _task(["batch", "--date", today], env);
          assert.equal(run.code, 0, run.stderr);
          assert.match(run.stderr, /^batch: Ignoring a stale .*dev\.control\.json: /m);
          assert.doesNotMatch(run.stderr, /running in deno task dev/);
          assert.deepEqual(_summaryRow(run.stderr, today), { rowsIn: 55, rowsOut: 55 });
        },
      );
    } finally {
      // SIGINT reaches dev through deno task; SIGKILL would stop only the task runner.
      const stopped = await Promise.race([
        dev.status.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 0)),
      ]);
      if (!stopped) dev.kill("SIGINT");
      await dev.status;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
