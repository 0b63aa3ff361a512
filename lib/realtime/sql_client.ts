/**
 * The little SQL surface the real-time store needs, so the same statements
 * run on PostgreSQL (the `postgres` package) and on PGlite.
 *
 * @module
 */

/** Runs parameterised statements ($1, $2, ...). */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A connection (or pool) that can also run a transaction. */
export interface SqlClient extends SqlRunner {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
