/**
 * The PostgreSQL adapter of the SQL client, on the `postgres` package.
 *
 * @module
 */

import postgres from "postgres";
import type { SqlClient, SqlRunner } from "./sql_client.ts";

/**
 * Connects to PostgreSQL and checks that it answers.
 *
 * @param url A `postgres://` URL.
 * @param maxConnections Pool size.
 * @returns The client.
 * @throws When the server does not answer, naming its address (never the password).
 */
export async function createPostgresClient(url: string, maxConnections = 8): Promise<SqlClient> {
  const sql = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connect_timeout: 5,
  });
  const where = (() => {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  })();
  try {
    await sql`SELECT 1`;
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw new Error(`Cannot connect to PostgreSQL at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  function runner(tx: postgres.Sql | postgres.TransactionSql): SqlRunner {
    return {
      query: async <T>(text: string, params: unknown[] = []) =>
        [...await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[])] as T[],
    };
  }
  return {
    ...runner(sql),
    transaction: <T>(work: (tx: SqlRunner) => Promise<T>) =>
      sql.begin((tx) => work(runner(tx))) as Promise<T>,
    close: () => sql.end({ timeout: 5 }),
  };
}
