/**
 * Tells a database's refusal of a record's content from an outage, for the
 * PostgreSQL (`postgres` package) and PGlite adapters alike: both surface the
 * server's error as an object with its `severity` and its five-character
 * SQLSTATE `code`, whereas a lost connection or a timeout carries a
 * client-side code (`ECONNREFUSED`, `CONNECTION_CLOSED`, `CONNECT_TIMEOUT`)
 * and no severity.
 *
 * @module
 */

import { RecordsRefusedError } from "./realtime_store.ts";

// SQLSTATE classes refused for content: 22 data exception (e.g. 22021 character not in
// repertoire, 22P05 untranslatable character, 22007 a time it cannot parse), 54 program limit
// exceeded (e.g. 54000 an index row too large).
const REFUSED_CLASSES = new Set(["22", "54"]);

/**
 * The refusal an error of the database stands for, or null when it is not
 * one (an outage, or a fault of the pipeline itself).
 *
 * @param error What a query threw.
 * @returns A {@linkcode RecordsRefusedError} with the SQLSTATE and the database's message, or null.
 */
export function refusalOf(error: unknown): RecordsRefusedError | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, severity, message } = error as Record<string, unknown>;
  if (typeof severity !== "string" || typeof code !== "string") return null;
  if (!/^[0-9A-Z]{5}$/.test(code) || !REFUSED_CLASSES.has(code.slice(0, 2))) return null;
  return new RecordsRefusedError(
    code,
    `The database refused the records (SQLSTATE ${code}): ${String(message)}`,
    { cause: error },
  );
}
