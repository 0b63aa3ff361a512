/**
 * A small client of Trino's HTTP statement API: `POST /v1/statement` with the
 * SQL, then `GET nextUri` until the query ends, gathering columns and rows.
 * A 502/503/504 on the way is retried with backoff, as the protocol asks.
 *
 * @module
 */

import { backoffDelay, delay } from "../runtime/async.ts";

/** Where the Trino coordinator is and who asks. */
export interface TrinoOptions {
  /** The coordinator's URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** `X-Trino-User` (default `pipeline`). */
  user?: string;
  /** The default catalog of unqualified names (`X-Trino-Catalog`). */
  catalog?: string;
  /** The default schema of unqualified names (`X-Trino-Schema`). */
  schema?: string;
  /** Milliseconds the whole query may take (default 120000). */
  timeoutMs?: number;
  /** The fetch to use (default `globalThis.fetch`). */
  fetch?: typeof fetch;
}

/** A query's answer: column names, and rows as JSON values (dates and timestamps as text). */
export interface TrinoResult {
  columns: string[];
  rows: unknown[][];
}

/** A query Trino rejected or failed. */
export class TrinoQueryError extends Error {
  /** Trino's error name, e.g. `TABLE_NOT_FOUND`. */
  readonly errorName: string;

  /**
   * @param message What failed, with Trino's message.
   * @param errorName Trino's error name.
   */
  constructor(message: string, errorName: string) {
    super(message);
    this.name = "TrinoQueryError";
    this.errorName = errorName;
  }
}

interface _Response {
  id?: string;
  nextUri?: string;
  columns?: Array<{ name: string }>;
  data?: unknown[][];
  error?: { message?: string; errorName?: string };
}

const _RETRIED = new Set([502, 503, 504]);

/**
 * Runs one SQL statement on Trino and waits for all its rows.
 *
 * @param options The coordinator, user, default catalog and schema.
 * @param sql The statement (no trailing semicolon).
 * @returns Column names and rows.
 * @throws {TrinoQueryError} When Trino reports the query failed; the message is Trino's.
 * @throws {Error} When the coordinator cannot be reached or answers with an unexpected status.
 * @example
 * ```ts
 * const { rows } = await queryTrino({ url: "http://127.0.0.1:8080" }, "SHOW CATALOGS");
 * ```
 */
export async function queryTrino(options: TrinoOptions, sql: string): Promise<TrinoResult> {
  const fetcher = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const headers: Record<string, string> = { "X-Trino-User": options.user ?? "pipeline" };
  if (options.catalog !== undefined) headers["X-Trino-Catalog"] = options.catalog;
  if (options.schema !== undefined) headers["X-Trino-Schema"] = options.schema;
  const statementUrl = new URL("/v1/statement", options.url).href;

  let page = await _request(
    fetcher,
    statementUrl,
    { method: "POST", body: sql, headers, signal },
    options.url,
  );
  let columns: string[] | undefined;
  const rows: unknown[][] = [];
  while (true) {
    if (page.error !== undefined) {
      throw new TrinoQueryError(
        `Trino query ${page.id ?? ""} failed: ${page.error.message ?? "no message"}`,
        page.error.errorName ?? "UNKNOWN",
      );
    }
    columns ??= page.columns?.map((column) => column.name);
    if (page.data !== undefined) rows.push(...page.data);
    if (page.nextUri === undefined) break;
    page = await _request(fetcher, page.nextUri, { headers, signal }, options.url);
  }
  return { columns: columns ?? [], rows };
}

async function _request(
  fetcher: typeof fetch,
  url: string,
  init: RequestInit,
  coordinator: string,
): Promise<_Response> {
  for (let attempt = 1;; attempt++) {
    let response: Response;
    try {
      response = await fetcher(url, init);
    } catch (error) {
      throw new Error(
        `Cannot reach Trino at ${coordinator}: ${(error as Error).message}; ` +
          "is it running (deno task services up trino) and is TRINO_URL right?",
        { cause: error },
      );
    }
    if (response.ok) return await response.json() as _Response;
    const body = await response.text();
    if (!_RETRIED.has(response.status) || attempt >= 10) {
      throw new Error(
        `Trino at ${coordinator} answered ${response.status} to ${init.method ?? "GET"} ${url}: ` +
          body.slice(0, 500),
      );
    }
    await delay(backoffDelay(attempt - 1, { minDelayMs: 50, maxDelayMs: 1000, jitter: 0.5 }), {
      signal: init.signal ?? undefined,
    });
  }
}
