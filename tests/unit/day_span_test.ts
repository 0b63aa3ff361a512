import assert from "node:assert/strict";
import { daySpan } from "../../lib/emulate/day_span.ts";

Deno.test("[day_span] --from and --to cover whole UTC days, both included", () => {
  assert.deepEqual(daySpan("2024-01-01", "2024-12-31"), {
    from: new Date("2024-01-01T00:00:00Z"),
    to: new Date("2025-01-01T00:00:00Z"),
  });
  assert.deepEqual(daySpan("2024-02-29", "2024-02-29"), {
    from: new Date("2024-02-29T00:00:00Z"),
    to: new Date("2024-03-01T00:00:00Z"),
  });
  assert.equal(daySpan(undefined, undefined), undefined);
});

Deno.test("[day_span] a bad value is one line naming the flag", async (t) => {
  const cases: [string | undefined, string | undefined, RegExp][] = [
    [
      "2024-13-01",
      "2024-12-31",
      /^Invalid --from: expected a day as YYYY-MM-DD, got '2024-13-01'$/,
    ],
    ["2024-01-01", "2023-02-29", /^Invalid --to: expected a day as YYYY-MM-DD, got '2023-02-29'$/],
    ["2024-1-1", "2024-12-31", /^Invalid --from: .*got '2024-1-1'$/],
    ["2024-01-01", "yesterday", /^Invalid --to: .*got 'yesterday'$/],
    ["2024-01-01", undefined, /^Invalid --to: required with --from$/],
    [undefined, "2024-01-01", /^Invalid --from: required with --to$/],
    ["2024-03-02", "2024-03-01", /^Invalid --to: 2024-03-01 is before --from 2024-03-02$/],
  ];
  for (const [from, to, message] of cases) {
    await t.step(`--from ${from} --to ${to}`, () => {
      assert.throws(() => daySpan(from, to), (error: unknown) => {
        assert.ok(error instanceof RangeError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("[emulate] a bad --from or --to exits with 2 and one line naming the flag", async () => {
  const job = new URL("../../jobs/emulate.ts", import.meta.url).pathname;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", job, "--from", "2024-02-30", "--to", "2024-03-01"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 2);
  assert.equal(stderr, "emulate: Invalid --from: expected a day as YYYY-MM-DD, got '2024-02-30'\n");
});
