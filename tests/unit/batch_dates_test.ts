import assert from "node:assert/strict";
import { batchSelection, dayRange, parseDay } from "../../lib/batch/dates.ts";
import { UsageError } from "../../lib/runtime/cli.ts";
import { isDayDue } from "../../lib/batch/raw_zone.ts";
import type { BatchRun } from "../../lib/history/history_store.ts";

Deno.test("[batch] dayRange includes both ends and crosses months and leap days", () => {
  assert.deepEqual(dayRange("2024-02-28", "2024-03-01"), [
    "2024-02-28",
    "2024-02-29",
    "2024-03-01",
  ]);
  assert.deepEqual(dayRange("2025-12-31", "2025-12-31"), ["2025-12-31"]);
  assert.equal(dayRange("2024-01-01", "2024-12-31").length, 366);
  assert.throws(() => dayRange("2024-01-02", "2024-01-01"), /--to is before --from/);
});

Deno.test("[batch] parseDay rejects days that do not exist, naming the argument", () => {
  assert.equal(parseDay("2024-02-29"), "2024-02-29");
  assert.throws(() => parseDay("2025-02-29", "from"), /--from.*'2025-02-29'/);
  assert.throws(() => parseDay("2025-1-02"), /current value is '2025-1-02'/);
});

Deno.test("[batch] batchSelection: catch-up, one day, a range, and contradictions", () => {
  assert.deepEqual(batchSelection({}), { mode: "catch-up" });
  assert.deepEqual(batchSelection({ date: "2026-01-02" }), { mode: "days", days: ["2026-01-02"] });
  assert.deepEqual(batchSelection({ from: "2026-01-01", to: "2026-01-02" }), {
    mode: "days",
    days: ["2026-01-01", "2026-01-02"],
  });
  assert.throws(() => batchSelection({ from: "2026-01-01" }), UsageError);
  assert.throws(() => batchSelection({ from: "2026-01-01" }), /both --from and --to/);
  assert.throws(() => batchSelection({ date: "2026-01-01", to: "2026-01-02" }), /Cannot combine/);
  assert.throws(
    () => batchSelection({ from: "2026-01-02", to: "2026-01-01" }),
    /--to is before --from/,
  );
});

Deno.test("[batch] isDayDue: new, failed, and changed days are due; unchanged ones are not", () => {
  const inputs = [{ key: "pins/dt=2026-01-01/hour=00/0-1-2.ndjson.gz", etag: "a", size: 1 }];
  const run: BatchRun = {
    day: "2026-01-01",
    status: "succeeded",
    inputs,
    rowsIn: 1,
    valid: 1,
    invalid: 0,
    duplicates: 0,
    rowsOut: 1,
    durationMs: 1,
    finishedAt: new Date(0),
  };
  assert.equal(isDayDue(inputs, undefined), true);
  assert.equal(isDayDue(inputs, run), false);
  assert.equal(isDayDue(inputs, { ...run, status: "failed" }), true);
  assert.equal(isDayDue([{ ...inputs[0]!, etag: "b" }], run), true);
  assert.equal(
    isDayDue([...inputs, { ...inputs[0]!, key: "pins/dt=2026-01-01/x.ndjson.gz" }], run),
    true,
  );
});
