import assert from "node:assert/strict";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { runBatch } from "../../lib/batch/batch_runner.ts";
import { listDayInputs } from "../../lib/batch/raw_zone.ts";
import { createEmbeddedHistory } from "../../lib/history/embedded_store.ts";
import type { HistoryStore } from "../../lib/history/history_store.ts";
import { LeaseLostError } from "../../lib/history/lease.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { buildDataset, writeRaw } from "../fixtures/batch_fixture.ts";
import { embeddedProbe } from "../fixtures/history_probe.ts";

const silent = createLogger({ level: "silent" });
const DAYS = ["2026-01-02", "2026-01-03"];

async function _withStores(
  work: (store: ObjectStore, history: HistoryStore, path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "batch_lease_" });
  const store = createLocalStore({ dir: `${dir}/archive` });
  const path = `${dir}/history/history.duckdb`;
  await Deno.mkdir(`${dir}/history`);
  const history = await createEmbeddedHistory({ path });
  try {
    await store.ensureBucket();
    await history.migrate();
    const span = { from: new Date("2025-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:00Z") };
    await writeRaw(store, buildDataset({ seed: 3, events: 400, days: DAYS, span }));
    await work(store, history, path);
  } finally {
    await history.close();
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("[history] embedded leaseDay: one holder per day, in this process too, until released", async () => {
  await _withStores(async (_store, history, path) => {
    const first = await history.leaseDay(DAYS[0]!, "first");
    assert.ok("lease" in first);
    assert.deepEqual(await history.leaseDay(DAYS[0]!, "second"), { heldBy: "first" });
    const other = await history.leaseDay(DAYS[1]!, "second");
    assert.ok("lease" in other, "another day is free");
    const lockFile = `${path.replace(/history\.duckdb$/, "")}leases/${DAYS[0]}.lock`;
    assert.equal((await Deno.readTextFile(lockFile)).trim(), "first");
    await first.lease.release();
    await other.lease.release();
    const again = await history.leaseDay(DAYS[0]!, "second");
    assert.ok("lease" in again, "free once released");
    await again.lease.release();
  });
});

Deno.test("[batch] runBatch skips a day another run holds and reports it; with a wait it runs it once free", async () => {
  await _withStores(async (store, history) => {
    const held = await history.leaseDay(DAYS[1]!, "elsewhere:42:0badf00d");
    assert.ok("lease" in held);
    const skipped = await runBatch({ store, history, logger: silent }, { days: DAYS });
    assert.deepEqual(skipped.results.map((r) => r.day), [DAYS[0]]);
    assert.deepEqual(skipped.leased, [{ day: DAYS[1], heldBy: "elsewhere:42:0badf00d" }]);
    assert.equal(skipped.failed, 0);
    assert.deepEqual((await history.runs()).map((run) => run.day), [DAYS[0]]);

    const releasing = new Promise((resolve) => setTimeout(resolve, 300))
      .then(() => held.lease.release());
    const waited = await runBatch({ store, history, logger: silent }, {
      days: [DAYS[1]!],
      leaseWaitMs: 30_000,
    });
    await releasing;
    assert.deepEqual(waited.results.map((r) => r.day), [DAYS[1]]);
    assert.deepEqual(waited.leased, []);
    assert.deepEqual((await history.runs()).map((run) => run.status), ["succeeded", "succeeded"]);
  });
});

Deno.test("[batch] a lost lease stops the day's writes and fails the day", async () => {
  await _withStores(async (store, history, path) => {
    const lost = new AbortController();
    const leasing: HistoryStore = {
      ...history,
      leaseDay: async (day, holder) => {
        const taken = await history.leaseDay(day, holder);
        return "lease" in taken ? { lease: { ...taken.lease, lost: lost.signal } } : taken;
      },
      // The lease is lost while the day writes its aggregates.
      writeAggregates: async (day, aggregates) => {
        await history.writeAggregates(day, aggregates);
        lost.abort(new LeaseLostError(day, "it expired or another holder took it"));
      },
    };
    const summary = await runBatch({ store, history: leasing, logger: silent }, {
      days: [DAYS[0]!],
    });
    assert.equal(summary.failed, 1);
    assert.match(
      "error" in summary.results[0]! ? summary.results[0].error : "",
      /^Lost the lease on 2026-01-02: it expired or another holder took it; stopped writing$/,
    );
    assert.equal(await embeddedProbe(path).countRows(DAYS[0]!), 0, "no rows written");
    const [run] = await history.runs();
    assert.equal(run?.status, "failed");
    assert.ok("lease" in await history.leaseDay(DAYS[0]!, "next"), "the lease was given back");
  });
});

Deno.test("[batch] a day another run finished while this one waited for it is not redone", async () => {
  await _withStores(async (store, history) => {
    const day = DAYS[0]!;
    const held = await history.leaseDay(day, "elsewhere:42:0badf00d");
    assert.ok("lease" in held);
    const waiting = runBatch({ store, history, logger: silent }, {
      days: [day],
      leaseWaitMs: 30_000,
    });
    // The holder finishes the day on the same inputs, then lets go.
    await history.recordRun({
      day,
      status: "succeeded",
      inputs: await listDayInputs(store, day),
      rowsIn: 1,
      valid: 1,
      invalid: 0,
      duplicates: 0,
      rowsOut: 1,
      durationMs: 1,
      finishedAt: new Date(Date.now() + 1),
    });
    await held.lease.release();
    const summary = await waiting;
    assert.deepEqual(summary.results, []);
    assert.deepEqual(summary.doneElsewhere, [day]);
    assert.deepEqual(summary.leased, []);
    assert.equal((await history.runs())[0]?.rowsOut, 1, "the other run's record stands");
  });
});
