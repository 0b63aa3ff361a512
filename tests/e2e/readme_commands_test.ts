import assert from "node:assert/strict";
import { freePort, README, readmeBlock, runShell as run } from "../fixtures/commands.ts";
import { REPO_ROOT } from "../services/paths.ts";

Deno.test({
  name:
    "[readme] the README's commands work on a fresh data directory: dev, curl, emulate, batch, query",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "readme-" });
    const port = freePort();
    const env = {
      PIPELINE_DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      NO_COLOR: "1",
    };
    const dev = new Deno.Command("deno", {
      args: ["task", "dev"],
      cwd: REPO_ROOT,
      env,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const url = `http://127.0.0.1:${port}`;
    try {
      await t.step("deno task dev serves and prints its banner", async () => {
        const deadline = Date.now() + 180_000;
        while (
          !(await fetch(`${url}/health`).then(async (r) => (await r.body?.cancel(), r.ok)).catch(
            () => false,
          ))
        ) {
          assert.ok(Date.now() < deadline, "deno task dev did not answer within 180 s");
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      });
      await t.step("the README's curl posts the seed's payload", async () => {
        const curl = readmeBlock("curl").replaceAll("localhost:8000", `127.0.0.1:${port}`);
        const { code, stdout } = await run(curl, env);
        assert.equal(code, 0);
        const body = JSON.parse(stdout);
        assert.equal(body.index, 7528);
        assert.ok(body.event_id && body.received_at);
      });
      await t.step("deno task emulate fills it", async () => {
        const command =
          readmeBlock("deno task emulate").trim().replace("--count 50000", "--count 3000") +
          ` --url ${url}`;
        const { code, stdout } = await run(command, env);
        assert.equal(code, 0, stdout);
        assert.match(stdout, /\b3000\s+3000\s+0\s+0\b/);
      });
      await t.step("the dashboard and the real-time views show the events", async () => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const summary = await (await fetch(`${url}/realtime/summary?window=30d`)).json();
          if (summary.events === 3001) break;
          assert.ok(Date.now() < deadline, `the stream counted ${summary.events} of 3001`);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const page = await fetch(`${url}/`);
        assert.match(await page.text(), /<html/i);
      });
      await t.step("Ctrl-C stops it cleanly", async () => {
        dev.kill("SIGINT");
        assert.equal((await dev.status).code, 0);
      });
      await t.step("deno task batch turns the archive into the batch views", async () => {
        const { code, stderr } = await run("deno task batch", env);
        assert.equal(code, 0, stderr);
      });
      await t.step("the README's deno task query answers over the curated zone", async () => {
        const line = README.split("\n").find((l) => l.includes('deno task query "SELECT category'));
        const command = /`(deno task query "[^`]+")`/.exec(line ?? "")?.[1];
        assert.ok(command, "README has no example query");
        const { code, stdout, stderr } = await run(`${command} --format json`, env);
        assert.equal(code, 0, stderr);
        const rows = JSON.parse(stdout) as Array<{ category: string; pins: number }>;
        assert.equal(rows.reduce((n, r) => n + r.pins, 0), 3001);
      });
    } finally {
      try {
        dev.kill("SIGKILL");
      } catch {
        // Already stopped.
      }
      await dev.status;
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
