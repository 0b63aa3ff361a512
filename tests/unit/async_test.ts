import assert from "node:assert/strict";
import { backoffDelay, deadline, delay, retry } from "../../lib/runtime/async.ts";

const never = () => new Promise<never>(() => {});

Deno.test("[async] delay resolves after the pause and rejects with the signal's reason", async (t) => {
  await t.step("resolves", async () => {
    const started = performance.now();
    await delay(5);
    assert.ok(performance.now() - started >= 4);
  });
  await t.step("an abort during the pause rejects and clears the timer", async () => {
    const controller = new AbortController();
    const pause = delay(60_000, { signal: controller.signal });
    controller.abort(new Error("stopping"));
    await assert.rejects(pause, /stopping/);
  });
  await t.step("an aborted signal rejects at once", async () => {
    await assert.rejects(delay(60_000, { signal: AbortSignal.abort() }), { name: "AbortError" });
  });
});

Deno.test("[async] deadline settles as the work does, or as onTimeout does once the bound passes", async (t) => {
  await t.step("the work's value, and the timer cleared", async () => {
    assert.equal(await deadline(Promise.resolve(7), 60_000), 7);
  });
  await t.step("the work's rejection", async () => {
    await assert.rejects(deadline(Promise.reject(new Error("refused")), 60_000), /refused/);
  });
  await t.step("a TimeoutError by default", async () => {
    await assert.rejects(deadline(never(), 1), { name: "TimeoutError", message: /1 ms/ });
  });
  await t.step("what onTimeout throws", async () => {
    await assert.rejects(
      deadline(never(), 1, () => {
        throw new RangeError("too slow");
      }),
      RangeError,
    );
  });
  await t.step("what onTimeout returns", async () => {
    assert.equal(await deadline(never(), 1, () => "late"), "late");
  });
});

Deno.test("[async] backoffDelay grows by the multiplier up to the cap, less the jitter", async (t) => {
  const schedule = (options: Parameters<typeof backoffDelay>[1], n: number) =>
    Array.from({ length: n }, (_, failures) => backoffDelay(failures, options));
  await t.step("stream job: 200 ms doubling, uncapped", () => {
    assert.deepEqual(schedule({ minDelayMs: 200, maxDelayMs: Infinity }, 4), [200, 400, 800, 1600]);
  });
  await t.step("archiver: 250 ms doubling up to 15 s", () => {
    assert.deepEqual(
      schedule({ minDelayMs: 250, maxDelayMs: 15_000 }, 8),
      [250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000],
    );
  });
  await t.step("a multiplier other than 2", () => {
    assert.deepEqual(schedule({ minDelayMs: 10, maxDelayMs: 1000, multiplier: 3 }, 3), [
      10,
      30,
      90,
    ]);
  });
  await t.step("jitter takes off up to its fraction, from the injected random", () => {
    const options = { minDelayMs: 100, maxDelayMs: 5000, jitter: 0.5 };
    assert.equal(backoffDelay(2, options, () => 0), 400);
    assert.equal(backoffDelay(2, options, () => 0.5), 300);
    assert.equal(backoffDelay(2, { ...options, jitter: 1 }, () => 0.25), 300);
  });
  await t.step("a long run of failures stays at the cap", () => {
    assert.equal(backoffDelay(5000, { minDelayMs: 100, maxDelayMs: 5000 }), 5000);
  });
});

function failing(times: number, error = new Error("down")) {
  let calls = 0;
  return {
    calls: () => calls,
    fn: () => {
      calls++;
      if (calls <= times) return Promise.reject(error);
      return Promise.resolve(`ok after ${calls}`);
    },
  };
}

Deno.test("[async] retry tries again on the backoff schedule until success", async () => {
  const work = failing(3);
  const retries: Array<{ attempt: number; delayMs: number }> = [];
  const result = await retry(work.fn, {
    attempts: 5,
    minDelayMs: 1,
    maxDelayMs: 3,
    jitter: 1,
    random: () => 0,
    onRetry: (_, info) => retries.push(info),
  });
  assert.equal(result, "ok after 4");
  assert.deepEqual(retries, [
    { attempt: 1, delayMs: 1 },
    { attempt: 2, delayMs: 2 },
    { attempt: 3, delayMs: 3 },
  ]);
});

Deno.test("[async] retry gives up with the last error", async (t) => {
  await t.step("once the attempts are spent", async () => {
    const work = failing(10);
    await assert.rejects(retry(work.fn, { attempts: 3, minDelayMs: 1 }), /down/);
    assert.equal(work.calls(), 3);
  });
  await t.step("at once on an error that is not retriable", async () => {
    const work = failing(10, new TypeError("bad input"));
    const retriable = (error: unknown) => !(error instanceof TypeError);
    await assert.rejects(retry(work.fn, { minDelayMs: 1, retriable }), TypeError);
    assert.equal(work.calls(), 1);
  });
  await t.step("a single attempt never pauses", async () => {
    const work = failing(1);
    await assert.rejects(retry(work.fn, { attempts: 1, minDelayMs: 60_000 }), /down/);
  });
});

Deno.test("[async] retry stops on abort with the signal's reason", async (t) => {
  await t.step("during the pause, without another try", async () => {
    const controller = new AbortController();
    const work = failing(Infinity);
    const running = retry(work.fn, {
      attempts: Infinity,
      minDelayMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(new Error("stopping")),
    });
    await assert.rejects(running, /stopping/);
    assert.equal(work.calls(), 1);
  });
  await t.step("after a failed try, without telling onRetry", async () => {
    const controller = new AbortController();
    let told = 0;
    const running = retry(() => {
      controller.abort(new Error("stopping"));
      return Promise.reject(new Error("down"));
    }, { attempts: Infinity, signal: controller.signal, onRetry: () => told++ });
    await assert.rejects(running, /stopping/);
    assert.equal(told, 0);
  });
  await t.step("before the first try", async () => {
    const work = failing(0);
    await assert.rejects(retry(work.fn, { signal: AbortSignal.abort() }), { name: "AbortError" });
    assert.equal(work.calls(), 0);
  });
});

Deno.test("[async] retry rejects settings it cannot honour", async () => {
  await assert.rejects(retry(() => 1, { attempts: 0 }), RangeError);
  await assert.rejects(retry(() => 1, { jitter: 2 }), RangeError);
});
