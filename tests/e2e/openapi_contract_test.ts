/**
 * The OpenAPI document is the contract: schemathesis (pinned, installed in a
 * throw-away virtualenv under the git-ignored `.tools/`) generates requests
 * from `GET /openapi.json` of a running `deno task dev` (embedded adapters, a
 * temporary data directory, a free port) and runs all of its checks on the
 * answers: no 5xx, statuses, content types, headers and bodies as declared,
 * schema-violating requests refused, valid ones accepted, 405 with `Allow`
 * for undeclared methods. A bounded number of examples per operation keeps it
 * near a minute. Without `python3 -m venv` the test is ignored with the
 * reason; under `CI` it fails instead.
 */

import assert from "node:assert/strict";
import { startEdgeProcess } from "../fixtures/edge_process.ts";
import { ensureVenv, pythonVenvUnavailable, runProgram, text } from "../fixtures/python_venv.ts";
import { REPO_ROOT } from "../services/paths.ts";
import { testIfAvailable } from "../services/test_with_service.ts";

const SCHEMATHESIS = "schemathesis==4.32.5";
const VENV = `${REPO_ROOT}/.tools/schemathesis-venv`;

/** The arguments of the run: every check, a fixed seed, few examples per operation. */
const RUN_ARGS = [
  "--checks",
  "all",
  "--phases",
  "examples,coverage,fuzzing",
  "--max-examples",
  "10",
  "--seed",
  "1",
  "--generation-database",
  "none",
  "--request-timeout",
  "10",
  "--no-color",
];

/** The schemathesis executable, the pinned version installed into its virtualenv when missing. */
async function _schemathesis(): Promise<string> {
  const { bin } = await ensureVenv({ dir: VENV, install: [SCHEMATHESIS] });
  return `${bin}/schemathesis`;
}

testIfAvailable(await pythonVenvUnavailable(), {
  name: "[e2e] schemathesis finds no failure against GET /openapi.json of deno task dev",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const schemathesis = await _schemathesis();
    const edge = await startEdgeProcess({}, "dev");
    // Schemathesis and Hypothesis keep caches in the working directory: a temporary one.
    const cwd = await Deno.makeTempDir({ prefix: "schemathesis-" });
    try {
      const output = await runProgram(
        schemathesis,
        ["run", `${edge.url}/openapi.json`, ...RUN_ARGS],
        { cwd },
      );
      const report = text(output.stdout);
      const summary = report.match(/Test cases:\s*\n\s*(.+)/)?.[1] ?? "no summary";
      console.log(`schemathesis: ${summary}`);
      assert.ok(output.success, `${report.slice(-6000)}\n${text(output.stderr)}`);
      assert.match(summary, /generated, \d+ passed/);
    } finally {
      await edge.stop();
      await Deno.remove(cwd, { recursive: true });
    }
  },
});
