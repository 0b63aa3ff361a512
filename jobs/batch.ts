/**
 * `deno task batch`: the daily batch, archive → curated Parquet + history.
 *
 * - no arguments: catch-up, every day whose raw objects are new or changed
 *   since its last successful run;
 * - `--date YYYY-MM-DD`: one day;
 * - `--from YYYY-MM-DD --to YYYY-MM-DD`: a backfill range.
 *
 * Exits 1 when a day fails, 2 on bad arguments or configuration.
 *
 * @module
 */

import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { openArchive } from "../lib/archive/mod.ts";
import { openHistory } from "../lib/history/mod.ts";
import { parseBatchArgs } from "../lib/batch/dates.ts";
import { runBatch } from "../lib/batch/batch_runner.ts";
import { createProgress, summaryTable } from "../lib/batch/progress.ts";

const encoder = new TextEncoder();
const say = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));

let selection;
let config;
try {
  selection = parseBatchArgs(Deno.args);
  config = loadConfig();
} catch (error) {
  say(`batch: ${(error as Error).message}`);
  Deno.exit(2);
}
const logger = createLogger(config.log).child({ job: "batch" });
let exitCode = 0;
try {
  const store = await openArchive(config.archive, config.dataDir, logger);
  try {
    const history = await openHistory(config.history, config.dataDir, logger);
    try {
      const summary = await runBatch(
        { store, history, logger, progress: createProgress() },
        selection.mode === "days" ? { days: selection.days } : {},
      );
      say(summary.results.length > 0 ? summaryTable(summary.results) : "batch: nothing to do");
      if (summary.failed > 0) {
        say(`batch: ${summary.failed} of ${summary.results.length} day(s) failed`);
        exitCode = 1;
      }
    } finally {
      await history.close();
    }
  } finally {
    await store.close();
  }
} catch (error) {
  say(`batch: ${(error as Error).message}`);
  exitCode = 1;
}
Deno.exit(exitCode);
