/**
 * `deno task query --engine trino`: the curated Parquet registered in Trino's
 * `hive` catalog as `hive.curated.pins` (idempotent, partitions synced; a
 * table registered for another bucket is an error, not a silent answer), then
 * one statement run with `hive.curated` as the default schema, so `pins`
 * names the same rows as in DuckDB's view and other catalogs (`cassandra`,
 * `postgresql`) are reached by their full names.
 *
 * @module
 */

import { queryTrino, type TrinoOptions, type TrinoResult } from "./trino_client.ts";
import { curatedLocation, curatedTableStatements } from "./trino_curated.ts";

/** Where Trino is and which bucket holds the curated zone. */
export interface TrinoQueryOptions extends Pick<TrinoOptions, "url" | "fetch" | "timeoutMs"> {
  /** The archive's bucket (S3_BUCKET); its `curated/` is the table's location. */
  bucket: string;
  /** The schema of the `hive` catalog holding table `pins` (default `curated`). */
  schema?: string;
}

/**
 * Registers the curated table and runs `sql` on Trino.
 *
 * @param options The coordinator and the archive's bucket.
 * @param sql One statement; `pins` is `hive.curated.pins`.
 * @returns Column names and rows.
 * @throws {TrinoQueryError} When Trino rejects a statement; the message is Trino's.
 * @throws {Error} When Trino cannot be reached.
 */
export async function queryCuratedWithTrino(
  options: TrinoQueryOptions,
  sql: string,
): Promise<TrinoResult> {
  const { bucket, schema = "curated", ...coordinator } = options;
  const trino: TrinoOptions = { ...coordinator, catalog: "hive", schema };
  const [createSchema, createTable, syncPartitions] = curatedTableStatements({ schema, bucket });
  await queryTrino(trino, createSchema!);
  await queryTrino(trino, createTable!);
  const shown = await queryTrino(trino, `SHOW CREATE TABLE hive.${schema}.pins`);
  const location = /external_location = '([^']*)'/.exec(String(shown.rows[0]?.[0]))?.[1];
  if (location !== curatedLocation(bucket)) {
    throw new Error(
      `Cannot query hive.${schema}.pins for bucket ${bucket}: the table reads ${location}; ` +
        `use another --trino-schema, or DROP TABLE hive.${schema}.pins (its files stay) to re-register it`,
    );
  }
  await queryTrino(trino, syncPartitions!);
  return await queryTrino(trino, sql);
}
