/**
 * `deno task query "SQL"`: ad-hoc SQL over the archive (views `pins_raw`,
 * `pins` and `pins_dlq`), local or mirrored from S3, printed as a table, CSV
 * or JSON.
 *
 *   deno task query "SELECT category, count(*) AS pins FROM pins GROUP BY 1 ORDER BY 2 DESC"
 *   deno task query --format csv "SELECT * FROM pins_raw LIMIT 10"
 *
 * @module
 */

import { openArchive } from "../lib/archive/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { mirrorArchive } from "../lib/query/archive_mirror.ts";
import { queryArchive } from "../lib/query/query_runner.ts";
import { formatCsv, formatTable } from "../lib/runtime/table.ts";
import { findControl } from "../lib/runtime/control_client.ts";
import { describeFlush, flushThroughDev } from "../lib/schedule/dev_client.ts";

await runMain({
  name: "query",
  summary: "Ad-hoc SQL (DuckDB) over the archive, local or mirrored from S3 into\n" +
    "PIPELINE_DATA_DIR/query-cache. Views: pins_raw (the raw zone, events as received: the pin's\n" +
    "fields typed, unknown fields in the JSON column extra, a line that is not JSON as NULLs;\n" +
    "with dt and hour), pins (the curated Parquet written by the batch, with dt) and pins_dlq\n" +
    "(the archived dead letters: source, reason, problems as JSON, raw, index, truncated,\n" +
    "received_at, dt, hour). Objects whose keys are not in the archive layout are skipped and\n" +
    "logged with their keys. Beside a running deno task dev, it first asks dev to flush the\n" +
    "events it acknowledged.",
  argument: {
    name: "SQL",
    description: "One SQL statement over pins_raw, pins and pins_dlq; quote it",
  },
  flags: {
    format: {
      type: "string",
      choices: ["table", "csv", "json"],
      default: "table",
      description: "Output format",
    },
    "max-rows": {
      type: "integer",
      min: 1,
      default: 200,
      description: "Rows shown by the table format; csv and json print all",
    },
  },
  env: ["common", "archive"],
  examples: [
    'deno task query "SELECT category, count(*) AS pins FROM pins GROUP BY 1 ORDER BY 2 DESC"',
    'deno task query --format csv "SELECT * FROM pins_raw LIMIT 10" > sample.csv',
  ],
  exits: {
    ok: "The result was printed",
    failed: "The query failed, or the archive could not be read",
  },
}, async ({ flags, argument: sql }) => {
  const config = loadConfig();
  const dev = await findControl(config.dataDir, (line) => console.error(line));
  if (dev) {
    const flushed = await flushThroughDev(dev);
    if (flushed.records > 0) console.error(describeFlush(flushed, dev));
  }
  const logger = createLogger({ ...config.log, level: "warn" });
  const store = await openArchive(config.archive, config.dataDir, logger);
  try {
    const mirror = await mirrorArchive(
      store,
      `${config.dataDir}/query-cache/${config.archive.bucket}`,
      { logger },
    );
    if (mirror.downloaded > 0) {
      console.error(`Mirrored ${mirror.downloaded} new or changed objects from ${store.address}`);
    }
    const result = await queryArchive(mirror, sql);
    if (flags.format === "json") {
      console.log(
        JSON.stringify(
          result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]]))),
        ),
      );
    } else if (flags.format === "csv") {
      console.log(formatCsv(result.columns, result.rows));
    } else {
      const max = flags["max-rows"];
      const shown = result.rows.slice(0, max).map((row) =>
        row.map((
          cell,
        ) => (typeof cell === "number"
          ? cell
          : cell === null
          ? "NULL"
          : typeof cell === "string"
          ? cell
          : JSON.stringify(cell))
        )
      );
      console.log(formatTable(result.columns, shown));
      const more = result.rows.length > max
        ? ` (showing ${max}; use --max-rows or --format csv)`
        : "";
      console.error(
        `${result.rows.length} row(s)${more}; views: ${
          result.views.join(", ") || "none (the archive is empty)"
        }`,
      );
    }
    return 0;
  } finally {
    await store.close();
  }
});
