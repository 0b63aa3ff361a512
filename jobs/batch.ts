/**
 * `deno task batch`: the daily batch, archive → curated Parquet + history.
 *
 * - no arguments: catch-up, every day whose raw objects are new or changed
 *   since its last successful run;
 * - `--date YYYY-MM-DD`: one day;
 * - `--from YYYY-MM-DD --to YYYY-MM-DD`: a backfill range.
 *
 * Beside a running `deno task dev` on the same data directory, the events dev
 * has acknowledged are flushed to the archive first; and when both use the
 * embedded history file (which dev holds open), the run happens inside dev,
 * under its scheduler's lock, its progress and summary shown here.
 *
 * A day another run holds (its lease in the history store) is skipped, after
 * waiting `--lease-wait` seconds for it, and named on stderr (exit 3); a day
 * another run finished meanwhile is not redone.
 *
 * @module
 */

import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { openArchive } from "../lib/archive/mod.ts";
import { historyKind, openHistory } from "../lib/history/mod.ts";
import { batchSelection, parseDay } from "../lib/batch/dates.ts";
import { type BatchSummary, runBatch } from "../lib/batch/batch_runner.ts";
import { createProgress, summaryTable } from "../lib/batch/progress.ts";
import { findControl } from "../lib/runtime/control_client.ts";
import { batchThroughDev, describeFlush, flushThroughDev } from "../lib/schedule/dev_client.ts";

const encoder = new TextEncoder();
const say = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));
const note = (line: string) => say(`batch: ${line}`);
const day = (description: string) =>
  ({ type: "string", value: "YYYY-MM-DD", description, check: parseDay }) as const;

await runMain({
  name: "batch",
  summary: "The batch: raw archive → clean → dedupe → curated Parquet + history (Cassandra or\n" +
    "DuckDB), each day idempotent. With no flags, it catches up every day whose raw objects\n" +
    "are new or changed since its last successful run. Beside a running deno task dev, dev\n" +
    "first flushes the events it acknowledged; on the embedded history the run happens\n" +
    "inside dev (which holds the file), shown here.",
  flags: {
    date: day("Run this one day"),
    from: day("First day of a backfill (with --to)"),
    to: day("Last day of a backfill, included (with --from)"),
    "lease-wait": {
      type: "integer",
      value: "SECONDS",
      default: 0,
      min: 0,
      max: 86_400,
      description: "Wait this long for a day another run holds before skipping it",
    },
  },
  env: ["common", "archive", "history"],
  examples: [
    "deno task batch",
    "deno task batch --date 2026-01-15",
    "deno task batch --from 2026-01-01 --to 2026-01-31",
    "deno task batch --date 2026-01-15 --lease-wait 600",
  ],
  exits: {
    ok: "Every selected day succeeded, or nothing was due",
    failed: "A day failed, or it could not start (a bad setting, a service that does not answer)",
    more: [[3, "Another run held a day's lease (past --lease-wait): that day was skipped"]],
  },
}, async ({ flags }) => {
  const selection = batchSelection(flags);
  const days = selection.mode === "days" ? selection.days : undefined;
  const config = loadConfig();
  const dev = await findControl(config.dataDir, note);
  if (dev?.history.kind === "embedded" && historyKind(config.history) === "embedded") {
    note(`running in deno task dev (pid ${dev.pid}), which holds ${dev.history.address}`);
    return report(await batchThroughDev(dev, { days, progress: createProgress(), note }));
  }
  if (dev) note(describeFlush(await flushThroughDev(dev), dev));
  const logger = createLogger(config.log).child({ job: "batch" });
  const store = await openArchive(config.archive, config.dataDir, logger);
  try {
    const history = await openHistory(config.history, config.dataDir, logger);
    try {
      return report(
        await runBatch({ store, history, logger, progress: createProgress() }, {
          days,
          leaseWaitMs: flags["lease-wait"] * 1000,
        }),
      );
    } finally {
      await history.close();
    }
  } finally {
    await store.close();
  }
});

/**
 * Prints a run's summary table and the days other runs held or did; the exit
 * code: 0 when every day succeeded, 3 when none failed but some were held.
 */
function report(summary: BatchSummary): number {
  if (summary.results.length > 0) say(summaryTable(summary.results));
  else if (summary.leased.length + summary.doneElsewhere.length === 0) {
    say("batch: nothing to do");
  }
  if (summary.doneElsewhere.length > 0) {
    say(`batch: Done meanwhile by other runs: ${summary.doneElsewhere.join(", ")}`);
  }
  for (const { day, heldBy } of summary.leased) {
    say(`batch: Skipped ${day}: another run holds its lease (${heldBy})`);
  }
  if (summary.failed === 0) return summary.leased.length === 0 ? 0 : 3;
  say(`batch: ${summary.failed} of ${summary.results.length} day(s) failed`);
  return 1;
}
