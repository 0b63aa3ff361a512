/**
 * `deno task query "SQL"`: ad-hoc SQL over the archive (views `pins_raw`,
 * `pins` and `pins_dlq`), local or mirrored from S3, printed as a table, CSV
 * or JSON; with `--engine trino`, on a Trino server over the curated Parquet
 * in S3 (`pins`) and its other catalogs.
 *
 *   deno task query "SELECT category, count(*) AS pins FROM pins GROUP BY 1 ORDER BY 2 DESC"
 *   deno task query --format csv "SELECT * FROM pins_raw LIMIT 10"
 *   deno task query --engine trino "SELECT media_type, count(*) FROM pins GROUP BY 1"
 *
 * @module
 */

import { openArchive } from "../lib/archive/mod.ts";
import { runMain } from "../lib/runtime/cli.ts";
import { type Config, ConfigError, loadConfig } from "../lib/runtime/config.ts";
import { createLogger } from "../lib/runtime/logger.ts";
import { mirrorArchive } from "../lib/query/archive_mirror.ts";
import { queryArchive } from "../lib/query/query_runner.ts";
import { queryCuratedWithTrino } from "../lib/query/trino_query.ts";
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
    "events it acknowledged. With --engine trino, the SQL runs on Trino instead: pins is\n" +
    "hive.curated.pins, the curated Parquet in S3 (registered and its days synced first), and\n" +
    "the history store is cassandra.<keyspace>.<table>.",
  argument: {
    name: "SQL",
    description: "One SQL statement over pins_raw, pins and pins_dlq; quote it",
  },
  flags: {
    engine: {
      type: "string",
      choices: ["duckdb", "trino"],
      default: "duckdb",
      description: "duckdb (embedded, over the archive) or trino (a Trino server, S3 only)",
    },
    "trino-url": {
      type: "string",
      value: "URL",
      default: "http://127.0.0.1:8080",
      env: "TRINO_URL",
      description: "The Trino coordinator of --engine trino",
    },
    "trino-schema": {
      type: "string",
      value: "NAME",
      default: "curated",
      description: "The hive catalog's schema where --engine trino registers pins",
    },
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
    'deno task query --engine trino "SELECT media_type, count(*) AS pins FROM pins GROUP BY 1"',
  ],
  exits: {
    ok: "The result was printed",
    failed: "The query failed, or the archive could not be read",
  },
}, async ({ flags, argument: sql }) => {
  const config = loadConfig();
  const result = flags.engine === "trino"
    ? await _trinoResult(config, { url: flags["trino-url"], schema: flags["trino-schema"] }, sql)
    : await _duckdbResult(config, sql);
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
    console.error(`${result.rows.length} row(s)${more}; ${result.source}`);
  }
  return 0;
});

interface _Result {
  columns: string[];
  rows: unknown[][];
  /** What the rows were read from, for the table format's footer. */
  source: string;
}

async function _duckdbResult(config: Config, sql: string): Promise<_Result> {
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
    return {
      ...result,
      source: `views: ${result.views.join(", ") || "none (the archive is empty)"}`,
    };
  } finally {
    await store.close();
  }
}

async function _trinoResult(
  config: Config,
  trino: { url: string; schema: string },
  sql: string,
): Promise<_Result> {
  if (config.archive.endpoint === null) {
    throw new ConfigError(
      "S3_ENDPOINT",
      "Cannot query with --engine trino: Trino reads the curated Parquet from S3, and S3_ENDPOINT " +
        "is unset (the archive is a local directory); set S3_ENDPOINT and S3_BUCKET",
    );
  }
  // The Hive catalog keeps its metastore in the bucket: make sure it exists.
  const logger = createLogger({ ...config.log, level: "warn" });
  const store = await openArchive(config.archive, config.dataDir, logger);
  await store.close();
  const result = await queryCuratedWithTrino({ ...trino, bucket: config.archive.bucket }, sql);
  return { ...result, source: `Trino at ${trino.url}; pins: hive.${trino.schema}.pins` };
}
