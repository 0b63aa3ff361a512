import assert from "node:assert/strict";
import { cronProblem } from "../../lib/runtime/cron_expression.ts";

const ACCEPTED = [
  "30 1 * * *",
  "*/15 * * * *",
  "0 0 1-5,10 * *",
  "5/10 * * * *",
  "0 0 * JAN *",
  "0 0 * * MON-FRI",
  "0 0 * * sun",
  "0 0 * * 7",
  "0 0 L * *",
  "0 0 1W * *",
  "0 0 * * 1#2",
  "3-1 * * * *",
];
const REJECTED = [
  "every day",
  "@daily",
  "0 0 ? * *",
  "60 0 * * *",
  "0 24 * * *",
  "0 0 0 * *",
  "0 0 * 13 *",
  "0 0 * * 8",
  "1-60/5 * * * *",
  "*/0 * * * *",
  "0 0 * * * *",
  "0 0 * *",
  "a * * * *",
  "1,,2 * * * *",
];

function _denoAccepts(expression: string, name: string): boolean {
  const abort = new AbortController();
  try {
    Deno.cron(name, expression, { signal: abort.signal }, () => {});
    return true;
  } catch {
    return false;
  } finally {
    abort.abort();
  }
}

Deno.test("[cron] cronProblem agrees with Deno.cron on what it accepts", async (t) => {
  for (const [index, expression] of [...ACCEPTED, ...REJECTED].entries()) {
    await t.step(expression, () => {
      const accepted = ACCEPTED.includes(expression);
      assert.equal(_denoAccepts(expression, `cron-expression-test-${index}`), accepted);
      assert.equal(cronProblem(expression) === null, accepted, cronProblem(expression) ?? "");
    });
  }
});

Deno.test("[cron] cronProblem says which field is wrong", () => {
  assert.equal(cronProblem("0 24 * * *"), "hour '24' is not in 0-23");
  assert.equal(cronProblem("*/0 * * * *"), "minute '*/0' has a bad step");
  assert.equal(cronProblem("every day"), "it has 2 field(s), not 5");
});
