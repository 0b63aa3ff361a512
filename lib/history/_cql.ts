/**
 * A thin CQL helper over one driver client: prepared single statements,
 * bounded-concurrency runs of one statement, unlogged batches grouped by
 * partition, and paged reads.
 *
 * @module
 */

import cassandra from "cassandra-driver";

/** Bound parameters of one statement. */
export type Params = unknown[];

/** What the Cassandra history modules run statements with. */
export interface Cql {
  /** Runs one prepared statement. */
  query(cql: string, params?: Params): Promise<cassandra.types.ResultSet>;
  /** Runs one prepared statement for each parameter list, `concurrency` at a time. */
  many(cql: string, params: Params[]): Promise<void>;
  /**
   * Writes rows of one prepared statement as unlogged batches, each holding
   * rows of a single partition (`partitionOf` names it), at most
   * {@linkcode BATCH_MAX_ROWS} rows and about {@linkcode BATCH_MAX_BYTES} of
   * values: Cassandra applies such a batch as one mutation, and refuses
   * batches past its `batch_size_fail_threshold` (50 KiB by default).
   * `concurrency` batches are in flight at most.
   */
  partitionBatches(
    cql: string,
    params: Params[],
    partitionOf: (row: Params) => string,
  ): Promise<void>;
  /** Reads every row of a prepared query, page by page. */
  rows(cql: string, params?: Params): Promise<cassandra.types.Row[]>;
  /** Requests in flight at most. */
  readonly concurrency: number;
}

/** Rows per unlogged batch at most. */
export const BATCH_MAX_ROWS = 64;

/** Approximate bytes of values per unlogged batch at most (text counted by its length). */
export const BATCH_MAX_BYTES = 24 * 1024;

// A cheap estimate of a row's size: text by its length, lists by their items, the rest 8 bytes.
function _rowBytes(row: Params): number {
  let bytes = 0;
  for (const value of row) {
    if (typeof value === "string") bytes += value.length + 4;
    else if (Array.isArray(value)) {
      for (const item of value) bytes += typeof item === "string" ? item.length + 4 : 8;
    } else bytes += 8;
  }
  return bytes;
}

/**
 * Groups rows by partition and cuts each group into batches within the
 * limits of {@linkcode BATCH_MAX_ROWS} and {@linkcode BATCH_MAX_BYTES}.
 *
 * @param params The rows' bound values.
 * @param partitionOf The partition a row belongs to, as a string.
 * @returns The batches; every batch holds rows of one partition.
 */
export function groupBatches(params: Params[], partitionOf: (row: Params) => string): Params[][] {
  const open = new Map<string, { rows: Params[]; bytes: number }>();
  const batches: Params[][] = [];
  for (const row of params) {
    const key = partitionOf(row);
    const size = _rowBytes(row);
    let batch = open.get(key);
    if (batch && (batch.rows.length >= BATCH_MAX_ROWS || batch.bytes + size > BATCH_MAX_BYTES)) {
      batches.push(batch.rows);
      batch = undefined;
    }
    if (!batch) {
      batch = { rows: [], bytes: 0 };
      open.set(key, batch);
    }
    batch.rows.push(row);
    batch.bytes += size;
  }
  for (const batch of open.values()) batches.push(batch.rows);
  return batches;
}

/**
 * Wraps a connected client.
 *
 * @param client The driver client.
 * @param concurrency Requests in flight at most for `many`.
 */
export function createCql(client: cassandra.Client, concurrency: number): Cql {
  return {
    concurrency,
    query: (cql, params = []) => client.execute(cql, params, { prepare: true }),
    async many(cql, params) {
      if (params.length === 0) return;
      await cassandra.concurrent.executeConcurrent(client, cql, params as unknown[][], {
        concurrencyLevel: concurrency,
        raiseOnFirstError: true,
      });
    },
    async partitionBatches(cql, params, partitionOf) {
      const batches = groupBatches(params, partitionOf);
      let next = 0;
      const worker = async () => {
        while (next < batches.length) {
          const rows = batches[next++]!;
          if (rows.length === 1) await client.execute(cql, rows[0], { prepare: true });
          else {
            await client.batch(rows.map((row) => ({ query: cql, params: row })), {
              prepare: true,
              logged: false,
            });
          }
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(concurrency, batches.length) }, worker),
      );
    },
    async rows(cql, params = []) {
      const out: cassandra.types.Row[] = [];
      const result = await client.execute(cql, params, { prepare: true, fetchSize: 5000 });
      for await (const row of result) out.push(row);
      return out;
    },
  };
}

/** A CQL integer (int, bigint as Long, or null) as a number; null is 0. */
export function cqlNumber(value: unknown): number {
  return value === null || value === undefined
    ? 0
    : value instanceof cassandra.types.Long
    ? value.toNumber()
    : Number(value);
}
