import assert from "node:assert/strict";
import { createLogger } from "../../lib/runtime/logger.ts";
import { fullPin } from "../fixtures/seed_pins.ts";
import { fixedCase, pins, replayFixedCase } from "../fuzz/fixed_case.ts";
import { nested } from "../fuzz/json_text.ts";
import { EMBEDDED, openFuzzStores } from "../fuzz/pipeline_adapters.ts";
import { formatViolations } from "../fuzz/violation.ts";

// Counterexamples the pipeline fuzzer (tests/fuzz/) found, as fixed inputs run
// through the embedded pipeline and checked by its oracle: each accepted
// event_id once in each view, rejected ones in neither, the views agreeing
// per category per day.

Deno.test("[fuzz regressions] counterexamples found by the pipeline fuzzer keep the pipeline's promises", async (t) => {
  const stores = await openFuzzStores(EMBEDDED, createLogger({ level: "silent" }));
  try {
    await t.step(
      "an event nested 100,000 levels deep in a /pins array is rejected without a 5xx",
      async () => {
        const deep = { ...fullPin(), event_id: "deep-1", extra: nested(100_000) };
        const valid = { ...fullPin(), event_id: "shallow-1", event_time: "2026-03-06T10:00:00Z" };
        const outcome = await replayFixedCase(
          stores,
          fixedCase([{ at: "2026-03-06T12:00:00Z", requests: [pins([valid, deep])] }]),
        );
        assert.equal(formatViolations(outcome.violations), "");
      },
    );

    const farTimes = {
      "an event_time in the year 0000": "0000-01-01T00:00:00Z",
      "an event_time whose offset takes it to the year 10000": "9999-12-31T23:59:59-01:00",
    };
    for (const [name, time] of Object.entries(farTimes)) {
      await t.step(
        `${name}: no stalled stream, the views agree and answer for its day`,
        async () => {
          const event = { ...fullPin(), event_id: `far-${time}`, event_time: time };
          const valid = {
            ...fullPin(),
            event_id: `near-${time}`,
            event_time: "2026-03-06T10:00:00Z",
          };
          const outcome = await replayFixedCase(
            stores,
            fixedCase([{ at: "2026-03-06T12:00:00Z", requests: [pins([event, valid])] }]),
          );
          assert.equal(formatViolations(outcome.violations), "");
        },
      );
    }
  } finally {
    await stores.close();
  }
});
