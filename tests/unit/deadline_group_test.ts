import assert from "node:assert/strict";
import { createDeadlineGroup } from "../../lib/runtime/deadline_group.ts";

const timedOut = () => {
  throw new Error("timed out");
};

Deno.test("[deadline_group] one bound on many promises, on one timer", async (t) => {
  await t.step("work that settles in time settles the promise, and the timer stops", async () => {
    const group = createDeadlineGroup(1000, 5);
    const results = await Promise.all(
      [1, 2, 3].map((n) => group.within(Promise.resolve(n), timedOut)),
    );
    assert.deepEqual(results, [1, 2, 3]);
    assert.equal(group.pending(), 0);
    await assert.rejects(group.within(Promise.reject(new Error("refused")), timedOut), /refused/);
  });

  await t.step(
    "work past the bound is given up within a tick of it, the rest waits on",
    async () => {
      const group = createDeadlineGroup(30, 5);
      const started = Date.now();
      const never = new Promise<never>(() => {});
      const late = group.within(never, timedOut).catch((
        error: Error,
      ) => [error.message, Date.now() - started]);
      const soon = group.within(
        new Promise<string>((resolve) => setTimeout(() => resolve("done"), 5)),
        timedOut,
      );
      const [message, waited] = await late as [string, number];
      assert.equal(message, "timed out");
      assert.ok(waited >= 30 && waited < 200, `gave up after ${waited} ms`);
      assert.equal(await soon, "done");
      assert.equal(group.pending(), 0);
    },
  );
});
