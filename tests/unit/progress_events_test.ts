import assert from "node:assert/strict";
import type { DayResult } from "../../lib/batch/day_processor.ts";
import { type BatchProgress, createProgress } from "../../lib/batch/progress.ts";
import {
  isProgressEvent,
  progressEmitter,
  type ProgressEvent,
  replayProgress,
} from "../../lib/batch/progress_events.ts";

const RESULT: DayResult = {
  day: "2026-11-25",
  inputs: [{ key: "pins/dt=2026-11-25/hour=10/0-1-2.ndjson.gz", etag: "e", size: 100 }],
  timings: { copy: 1, clean: 2, load: 0, parquet: 3, aggregates: 4, rows: 5 },
  parquetBytes: 10,
  rowsIn: 12,
  badJson: 1,
  invalid: 1,
  valid: 10,
  duplicates: 2,
  rowsOut: 8,
  nulled: { follower_count: { sentinel: 1 } },
};

function drive(progress: BatchProgress): void {
  progress.start(2, 2, 200);
  progress.dayStarted("2026-11-25");
  progress.objectCopied();
  progress.dayFinished(RESULT);
  progress.dayStarted("2026-11-26");
  progress.objectCopied();
  progress.dayFinished({ day: "2026-11-26", error: "boom" });
  progress.finish();
}

Deno.test("[progress_events] a run replayed from its events, through JSON, prints what the run itself prints", () => {
  const display = () => {
    const lines: string[] = [];
    const progress = createProgress({
      write: (text) => lines.push(text),
      tty: false,
      now: () => 0,
    });
    return { lines, progress };
  };
  const direct = display();
  drive(direct.progress);

  const events: ProgressEvent[] = [];
  drive(progressEmitter((event) => events.push(JSON.parse(JSON.stringify(event)))));
  assert.ok(events.every(isProgressEvent));
  assert.equal(isProgressEvent({ type: "summary" }), false);
  const replayed = display();
  for (const event of events) replayProgress(event, replayed.progress);

  assert.deepEqual(replayed.lines, direct.lines);
  assert.match(direct.lines.join(""), /2026-11-25 done: 12 in, 8 out\n.*2026-11-26 failed: boom/s);
});
