import assert from "node:assert/strict";
import { backoffDelay } from "../../lib/runtime/async.ts";
import { keepTrying, STREAM_BACKOFF } from "../../lib/stream/keep_trying.ts";

Deno.test("[stream] pauses double from 100 ms up to 5 s, less up to a fifth at random", () => {
  assert.deepEqual(
    [0, 1, 2, 5, 6, 30].map((failures) => backoffDelay(failures, STREAM_BACKOFF, () => 0)),
    [100, 200, 400, 3200, 5000, 5000],
  );
  assert.equal(Math.round(backoffDelay(0, STREAM_BACKOFF, () => 0.999999)), 80);
});

Deno.test("[stream] keepTrying retries until the work succeeds, telling of each failure", async () => {
  let calls = 0;
  const failures: number[] = [];
  const value = await keepTrying(() => {
    calls++;
    return calls < 3 ? Promise.reject(new Error("down")) : Promise.resolve("up");
  }, {
    signal: new AbortController().signal,
    random: () => 0.999999,
    onFailure: (_error, { attempt }) => failures.push(attempt),
  });
  assert.equal(value, "up");
  assert.deepEqual(failures, [1, 2]);
});

Deno.test("[stream] keepTrying throws an error that is not retriable at once", async () => {
  const refused = new Error("refused");
  let calls = 0;
  await assert.rejects(
    keepTrying(() => {
      calls++;
      return Promise.reject(refused);
    }, { signal: new AbortController().signal, retriable: (error) => error !== refused }),
    (error) => error === refused,
  );
  assert.equal(calls, 1);
});

Deno.test("[stream] aborting ends the wait through an outage with the last error", async () => {
  const controller = new AbortController();
  const down = new Error("connect ECONNREFUSED");
  const trying = keepTrying(() => Promise.reject(down), {
    signal: controller.signal,
    onFailure: () => controller.abort(),
  });
  await assert.rejects(trying, (error) => error === down);
});
