import assert from "node:assert/strict";
import type { FlushReport } from "../../lib/archive/archiver.ts";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { BatchProgress } from "../../lib/batch/progress.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import { callControl, findControl } from "../../lib/runtime/control_client.ts";
import { controlFilePath, readControlFile } from "../../lib/runtime/control_file.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createBatchMetrics } from "../../lib/schedule/batch_metrics.ts";
import { batchThroughDev, flushThroughDev } from "../../lib/schedule/dev_client.ts";
import { startDevControl } from "../../lib/schedule/dev_control.ts";
import { startScheduler } from "../../lib/schedule/scheduler.ts";

const silent = createLogger({ level: "silent" });
const FLUSHED: FlushReport = { partitions: 2, records: 7, ms: 3 };

/** A progress display that records the calls it gets. */
function recorder(calls: string[]): BatchProgress {
  return {
    start: (days) => calls.push(`start ${days}`),
    dayStarted: (day) => calls.push(`day ${day}`),
    objectCopied: () => calls.push("object"),
    dayFinished: (result) => calls.push(`finished ${result.day}`),
    finish: () => calls.push("finish"),
  };
}

/** Dev's control routes on an empty archive, with a scheduler whose start-up run waits for `gate`. */
async function withDevControl(
  body: (rig: {
    dataDir: string;
    order: string[];
    scheduledStarted: Promise<void>;
    releaseScheduled(): void;
  }) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "dev_control_test_" });
  const archive = createLocalStore({ dir: `${dataDir}/archive` });
  await archive.ensureBucket();
  const history = await createEmbeddedHistory({ path: ":memory:" });
  await history.migrate();
  const order: string[] = [];
  const started = Promise.withResolvers<void>();
  const gate = Promise.withResolvers<void>();
  const scheduler = startScheduler({
    dataDir,
    cron: "30 1 * * *",
    metrics: createBatchMetrics(createProcessRegistry()),
    logger: silent,
    async runCatchUp() {
      order.push("scheduled starts");
      started.resolve();
      await gate.promise;
      order.push("scheduled ends");
      return { results: [], leased: [], doneElsewhere: [], succeeded: 0, failed: 0 };
    },
  });
  const control = await startDevControl({
    dataDir,
    archiver: {
      flushNow: () => {
        order.push("flush");
        return Promise.resolve(FLUSHED);
      },
    },
    scheduler,
    archive,
    history,
    logger: silent,
  });
  let left: boolean;
  try {
    await body({
      dataDir,
      order,
      scheduledStarted: started.promise,
      releaseScheduled: () => gate.resolve(),
    });
  } finally {
    gate.resolve();
    await control.stop();
    left = await Deno.stat(controlFilePath(dataDir)).then(() => true, () => false);
    await scheduler.stop();
    await history.close();
    await Deno.remove(dataDir, { recursive: true });
  }
  assert.equal(left, false, "the control file outlived the listener");
}

Deno.test("[dev_control] the control file: owner-only, a loopback URL and a token; removed on stop", async () => {
  await withDevControl(async ({ dataDir }) => {
    const stat = await Deno.stat(controlFilePath(dataDir));
    assert.equal(stat.mode! & 0o777, 0o600);
    const control = (await readControlFile(dataDir))!;
    assert.equal(control.pid, Deno.pid);
    assert.match(control.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(control.token, /^[0-9a-f]{64}$/);
    assert.equal(control.history.kind, "embedded");
    assert.equal(control.archive.kind, "local");
  });
});

Deno.test("[dev_control] a wrong or missing token gets 401; an unknown route 404; a bad body 400", async () => {
  await withDevControl(async ({ dataDir }) => {
    const control = (await readControlFile(dataDir))!;
    const post = async (path: string, token: string | null, body = "{}") => {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const response = await fetch(`${control.url}${path}`, { method: "POST", headers, body });
      await response.body?.cancel();
      return response.status;
    };
    assert.equal(await post("/flush", null), 401);
    assert.equal(await post("/flush", "0".repeat(64)), 401);
    assert.equal(await post("/batch", `${control.token}x`), 401);
    assert.equal(await post("/nope", control.token), 404);
    assert.equal(await post("/batch", control.token, "[1]"), 400);
    await assert.rejects(
      async () => {
        for await (const _ of callControl(control, "batch", { days: ["2026-13-01"] }));
      },
      /^Error: Invalid days: expected a non-empty list of days as YYYY-MM-DD, current value is \["2026-13-01"\]$/,
    );
    assert.deepEqual(await flushThroughDev(control), FLUSHED);
  });
});

Deno.test("[dev_control] POST /batch flushes, waits for the scheduled run, never overlaps it, and streams the progress and summary", async () => {
  await withDevControl(async ({ dataDir, order, scheduledStarted, releaseScheduled }) => {
    await scheduledStarted;
    const control = (await findControl(dataDir, (line) => assert.fail(line)))!;
    const notes: string[] = [];
    const calls: string[] = [];
    const summary = await batchThroughDev(control, {
      progress: recorder(calls),
      note(line) {
        notes.push(line);
        if (line.startsWith("waiting")) releaseScheduled();
      },
    });
    assert.deepEqual(order, ["scheduled starts", "flush", "scheduled ends"]);
    assert.match(notes[0]!, /flushed 7 event\(s\) of 2 partition\(s\) to the archive in 3 ms$/);
    assert.match(notes[1]!, /^waiting for the batch run in progress to finish \(scheduler pid \d+/);
    assert.deepEqual(calls, ["start 0", "finish"], "an empty archive: nothing due");
    assert.deepEqual(summary, {
      results: [],
      leased: [],
      doneElsewhere: [],
      succeeded: 0,
      failed: 0,
    });
  });
});

Deno.test("[dev_control] a stale control file is ignored with a note", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "dev_control_stale_" });
  try {
    const notes: string[] = [];
    assert.equal(await findControl(dataDir, (line) => notes.push(line)), null);
    assert.equal(notes.length, 0, "no file: nothing to say");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    await Deno.writeTextFile(
      controlFilePath(dataDir),
      JSON.stringify({
        pid: 999_999,
        url: `http://127.0.0.1:${port}`,
        token: "0".repeat(64),
        startedAt: "2026-01-01T00:00:00.000Z",
        archive: { kind: "local", address: "x" },
        history: { kind: "embedded", address: "y" },
      }),
    );
    assert.equal(await findControl(dataDir, (line) => notes.push(line)), null);
    assert.equal(notes.length, 1);
    assert.match(
      notes[0]!,
      /^Ignoring a stale .*dev\.control\.json: deno task dev \(pid 999999\) does not answer at http:\/\/127\.0\.0\.1:\d+: /,
    );
    await Deno.writeTextFile(controlFilePath(dataDir), "not json");
    assert.equal(await findControl(dataDir, (line) => notes.push(line)), null);
    assert.match(
      notes[1]!,
      /^Cannot read .*dev\.control\.json: it is not a control file written by deno task dev; ignoring it$/,
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
