import assert from "node:assert/strict";
import { queryTrino, TrinoQueryError } from "../../lib/query/trino_client.ts";

/** A fetch that answers from a script of pages and records what it was asked. */
function _scripted(pages: Array<{ status?: number; body: unknown }>) {
  const asked: Array<{ method: string; url: string; headers: Headers; body: string | null }> = [];
  const fetcher = (input: RequestInfo | URL, init: RequestInit = {}) => {
    asked.push({
      method: init.method ?? "GET",
      url: String(input),
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : null,
    });
    const page = pages.shift();
    if (page === undefined) throw new Error("no more pages scripted");
    return Promise.resolve(
      new Response(JSON.stringify(page.body), { status: page.status ?? 200 }),
    );
  };
  return { fetch: fetcher as typeof fetch, asked };
}

Deno.test("[trino_client] posts the SQL, follows nextUri and gathers every page's rows", async () => {
  const { fetch, asked } = _scripted([
    { body: { id: "q1", nextUri: "http://t/v1/statement/q1/1" } },
    {
      body: {
        id: "q1",
        nextUri: "http://t/v1/statement/q1/2",
        columns: [{ name: "category" }, { name: "pins" }],
        data: [["art", 3]],
      },
    },
    { body: { id: "q1", columns: [{ name: "category" }, { name: "pins" }], data: [["diy", 1]] } },
  ]);
  const result = await queryTrino(
    { url: "http://t", catalog: "hive", schema: "curated", fetch },
    "SELECT 1",
  );
  assert.deepEqual(result, { columns: ["category", "pins"], rows: [["art", 3], ["diy", 1]] });
  assert.equal(asked[0]!.method, "POST");
  assert.equal(asked[0]!.url, "http://t/v1/statement");
  assert.equal(asked[0]!.body, "SELECT 1");
  assert.equal(asked[0]!.headers.get("X-Trino-Catalog"), "hive");
  assert.equal(asked[0]!.headers.get("X-Trino-Schema"), "curated");
  assert.equal(asked[0]!.headers.get("X-Trino-User"), "pipeline");
  assert.deepEqual(asked.slice(1).map((a) => [a.method, a.url]), [
    ["GET", "http://t/v1/statement/q1/1"],
    ["GET", "http://t/v1/statement/q1/2"],
  ]);
});

Deno.test("[trino_client] retries a 503 and fails on Trino's error with its name", async () => {
  const { fetch, asked } = _scripted([
    { status: 503, body: {} },
    { body: { id: "q2", nextUri: "http://t/v1/statement/q2/1" } },
    {
      body: {
        id: "q2",
        error: {
          message: "line 1:15: Table 'hive.curated.nope' does not exist",
          errorName: "TABLE_NOT_FOUND",
        },
      },
    },
  ]);
  const error = await queryTrino({ url: "http://t", fetch }, "SELECT * FROM nope").then(
    () => assert.fail("resolved"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TrinoQueryError);
  assert.equal(error.errorName, "TABLE_NOT_FOUND");
  assert.match(error.message, /q2 failed: line 1:15: Table 'hive\.curated\.nope' does not exist/);
  assert.equal(asked.length, 3);
});

Deno.test("[trino_client] another status fails at once with the coordinator and the body", async () => {
  const { fetch, asked } = _scripted([{ status: 401, body: { message: "no user" } }]);
  await assert.rejects(
    queryTrino({ url: "http://t", fetch }, "SELECT 1"),
    /Trino at http:\/\/t answered 401 to POST http:\/\/t\/v1\/statement: .*no user/,
  );
  assert.equal(asked.length, 1);
});

Deno.test("[trino_client] an unreachable coordinator is named with how to start one", async () => {
  await assert.rejects(
    queryTrino({ url: "http://127.0.0.1:1" }, "SELECT 1"),
    /Cannot reach Trino at http:\/\/127\.0\.0\.1:1: .*deno task services up trino/,
  );
});
