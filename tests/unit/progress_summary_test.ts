import assert from "node:assert/strict";
import type { DayResult } from "../../lib/batch/day_processor.ts";
import { summaryTable } from "../../lib/batch/progress.ts";

Deno.test("[batch] the summary table ends with what the cleaning nulled, by reason", () => {
  const day: DayResult = {
    day: "2026-01-02",
    inputs: [{ key: "k", etag: "e", size: 10 }],
    rowsIn: 100,
    badJson: 1,
    invalid: 2,
    valid: 97,
    duplicates: 1,
    rowsOut: 96,
    nulled: {
      title: { sentinel: 3 },
      follower_count: { sentinel: 2, unparseable: 1 },
      tag_list: { empty_list: 4 },
    },
    timings: { copy: 100, clean: 200, load: 0, parquet: 0, aggregates: 0, rows: 0 },
    parquetBytes: 1,
  };
  const lines = summaryTable([
    day,
    { ...day, day: "2026-01-03", nulled: {} },
    { day: "2026-01-04", error: "boom" },
  ]).split("\n");
  assert.match(lines[0]!, /\bnulled$/);
  assert.match(lines[2]!, /0\.3 +sentinel 5, unparseable 1, empty_list 4$/);
  assert.match(lines[3]!, /0\.3 +-$/);
  assert.match(lines[4]!, /^2026-01-04 +FAILED\b.*-$/);
});
