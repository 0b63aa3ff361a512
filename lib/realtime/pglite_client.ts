/**
 * The embedded adapter of the SQL client: PGlite, PostgreSQL compiled to
 * WebAssembly, with its data in a directory. One process at a time.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import type { SqlClient, SqlRunner } from "./sql_client.ts";

/**
 * Opens (or creates) an embedded PostgreSQL database.
 *
 * @param dir The data directory; `memory://` for a throw-away database.
 * @returns The client.
 */
export async function createPgliteClient(dir: string): Promise<SqlClient> {
  const db = new PGlite(dir);
  await db.waitReady;
  function runner(tx: Pick<PGlite, "query">): SqlRunner {
    return {
      query: async <T>(text: string, params: unknown[] = []) =>
        (await tx.query<T>(text, params)).rows,
    };
  }
  return {
    ...runner(db),
    transaction: <T>(work: (tx: SqlRunner) => Promise<T>) =>
      db.transaction((tx) => work(runner(tx))),
    close: () => db.close(),
  };
}
