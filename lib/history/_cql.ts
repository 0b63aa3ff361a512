/**
 * A thin CQL helper over one driver client: prepared single statements,
 * bounded-concurrency batches of one statement, and paged reads.
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
  /** Reads every row of a prepared query, page by page. */
  rows(cql: string, params?: Params): Promise<cassandra.types.Row[]>;
  /** Requests in flight at most. */
  readonly concurrency: number;
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
