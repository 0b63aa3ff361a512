import assert from "node:assert/strict";
import { errorBody, MAX_PROBLEMS } from "../../edge/http/http_error.ts";

Deno.test("[http_error] an error body lists at most 100 problems and counts the rest", () => {
  const problems = Array.from({ length: 250 }, (_, i) => ({ path: `f${i}`, message: "bad" }));
  const body = errorBody("Invalid pin event", problems);
  assert.equal(body.problems.length, MAX_PROBLEMS);
  assert.equal(body.problems[99]!.path, "f99");
  assert.equal(body.problems_omitted, 150);
  assert.deepEqual(errorBody("x", problems.slice(0, 3)), {
    error: "x",
    problems: problems.slice(0, 3),
  });
});
