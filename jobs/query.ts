/**
 * `deno task query "SQL"`: ad-hoc SQL over the archive (views `pins_raw` and
 * `pins`), local or mirrored from S3, printed as a table, CSV or JSON.
 *
 *   deno task query "SELECT category, count(*) AS pins FROM pins GROUP BY 1 ORDER BY 2 DESC"
 *   deno task query --format csv "SELECT * FROM pins_raw LIMIT 10"
 *
 * @module
 */

import { parseArgs } from "node:util";
import { openArchive } from "../lib/archive/mod.ts";
import { loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { mirrorArchive } from "../lib/query/archive_mirror.ts";
import { queryArchive } from "../lib/query/query_runner.ts";
import { formatCsv, formatTable } from "../lib/runtime/table.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    format: { type: "string", default: "table" },
    "max-rows": { type: "string", default: "200" },
    help: { type: "boolean", short: "h" },
  },
});
const usage = `Usage: deno task query [--format table|csv|json] [--max-rows N] "SQL"
Views: pins_raw (the raw zone, events as received: the pin's fields typed, unknown fields
                in the JSON column extra, a line that is not JSON as NULLs; with dt and hour)
       pins     (the curated Parquet written by the batch, with dt)
Objects whose keys are not in the archive layout are skipped (logged with their keys).`;
if (values.help || positionals.length !== 1 || !["table", "csv", "json"].includes(values.format)) {
  console.error(usage);
  Deno.exit(values.help ? 0 : 2);
}

const config = loadConfig();
const logger = createLogger({ ...config.log, level: "warn" });
const store = await openArchive(config.archive, config.dataDir, logger);
let exitCode = 0;
try {
  const mirror = await mirrorArchive(
    store,
    `${config.dataDir}/query-cache/${config.archive.bucket}`,
    { logger },
  );
  if (mirror.downloaded > 0) {
    console.error(`Mirrored ${mirror.downloaded} new or changed objects from ${store.address}`);
  }
  const result = await queryArchive(mirror, positionals[0]!);
  if (values.format === "json") {
    console.log(
      JSON.stringify(
        result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]]))),
      ),
    );
  } else if (values.format === "csv") {
    console.log(formatCsv(result.columns, result.rows));
  } else {
    const max = Number(values["max-rows"]);
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
} catch (error) {
  console.error(`query: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await store.close();
}
Deno.exit(exitCode);
