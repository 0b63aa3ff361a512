import assert from "node:assert/strict";
import type { BatchSummary } from "../../lib/batch/batch_runner.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { createBatchMetrics } from "../../lib/schedule/batch_metrics.ts";
import { tryBatchLock } from "../../lib/schedule/batch_lock.ts";
import { startScheduler } from "../../lib/schedule/scheduler.ts";

const silent = createLogger({ level: "silent" });
const ok: BatchSummary = { results: [], leased: [], doneElsewhere: [], succeeded: 0, failed: 0 };

Deno.test("[batch_lock] one holder at a time; released on release and when the holder dies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "batch-lock-" });
  try {
    const first = await tryBatchLock(dir, "first");
    assert.ok("lock" in first);
    const second = await tryBatchLock(dir, "second");
    assert.ok("heldBy" in second);
    assert.match(second.heldBy, /^first pid \d+ since /);
    first.lock.release();
    const third = await tryBatchLock(dir, "third");
    assert.ok("lock" in third);
    third.lock.release();

    const lockModule = new URL("../../lib/schedule/batch_lock.ts", import.meta.url).href;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { tryBatchLock } from "${lockModule}";
         const taken = await tryBatchLock(${JSON.stringify(dir)}, "child");
         console.log("lock" in taken ? "held" : "refused");
         setInterval(() => {}, 1000);`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = child.stdout.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value).trim(), "held");
    assert.ok("heldBy" in await tryBatchLock(dir, "while the child holds it"));
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    const after = await tryBatchLock(dir, "after the crash");
    assert.ok("lock" in after, "a crashed holder left the lock stuck");
    after.lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[scheduler] runs a catch-up at start, one run at a time, and records the outcome", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scheduler-" });
  const registry = createProcessRegistry();
  const metrics = createBatchMetrics(registry);
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const scheduler = startScheduler({
    dataDir: dir,
    cron: "30 1 * * *",
    metrics,
    logger: silent,
    async runCatchUp() {
      runs += 1;
      await gate;
      return { ...ok, results: [{ day: "2026-11-25", error: "boom" }], failed: runs === 1 ? 1 : 0 };
    },
  });
  try {
    const again = scheduler.runNow("manual");
    release();
    assert.equal(await again, "failed");
    assert.equal(runs, 1, "a second run started while the first was running");
    assert.equal(await scheduler.runNow("manual"), "ok");
    const text = await registry.metrics();
    assert.match(text, /pipeline_batch_runs_total\{result="failed"\} 1/);
    assert.match(text, /pipeline_batch_runs_total\{result="ok"\} 1/);
    assert.match(text, /pipeline_batch_running 0/);
    assert.doesNotMatch(text, /pipeline_batch_last_success_timestamp_seconds 0\n/);
    const held = await tryBatchLock(dir, "manual batch");
    assert.ok("lock" in held);
    assert.equal(await scheduler.runNow("while a manual batch runs"), "skipped");
    held.lock.release();
  } finally {
    await scheduler.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("[scheduler] a run asked for waits for the scheduled one and never overlaps it; a scheduled run during it is skipped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scheduler-exclusive-" });
  const registry = createProcessRegistry();
  const order: string[] = [];
  const catchUpStarted = Promise.withResolvers<void>();
  const catchUpGate = Promise.withResolvers<void>();
  const askedStarted = Promise.withResolvers<void>();
  const askedGate = Promise.withResolvers<void>();
  const waited = Promise.withResolvers<string>();
  const scheduler = startScheduler({
    dataDir: dir,
    cron: "30 1 * * *",
    metrics: createBatchMetrics(registry),
    logger: silent,
    async runCatchUp() {
      order.push("scheduled starts");
      catchUpStarted.resolve();
      await catchUpGate.promise;
      order.push("scheduled ends");
      return ok;
    },
  });
  try {
    await catchUpStarted.promise;
    const asked = scheduler.runExclusive("deno task batch", async () => {
      order.push("asked starts");
      askedStarted.resolve();
      await askedGate.promise;
      order.push("asked ends");
      return { ...ok, results: [{ day: "2026-11-25", error: "boom" }], failed: 1 };
    }, (heldBy) => waited.resolve(heldBy));
    assert.match(await waited.promise, /^scheduler pid \d+ since /);
    assert.deepEqual(order, ["scheduled starts"]);
    catchUpGate.resolve();
    await askedStarted.promise;
    assert.equal(await scheduler.runNow("cron while asked runs"), "skipped");
    askedGate.resolve();
    assert.equal((await asked).failed, 1);
    assert.deepEqual(order, ["scheduled starts", "scheduled ends", "asked starts", "asked ends"]);
    const text = await registry.metrics();
    assert.match(text, /pipeline_batch_runs_total\{result="ok"\} 1/);
    assert.match(text, /pipeline_batch_runs_total\{result="failed"\} 1/);
    assert.match(text, /pipeline_batch_runs_total\{result="skipped"\} 1/);
  } finally {
    await scheduler.stop();
  }
  await assert.rejects(
    scheduler.runExclusive("late", () => Promise.resolve(ok)),
    /^Error: Cannot run the batch: the scheduler is stopping$/,
  );
  await Deno.remove(dir, { recursive: true });
});
