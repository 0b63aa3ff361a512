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
import { REPO_ROOT } from "../services/paths.ts";

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

async function _run(program: string, args: string[], cwd?: string): Promise<Deno.CommandOutput> {
  return await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" }).output();
}

const _text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Why schemathesis cannot be installed here, or undefined. */
async function _unavailable(): Promise<string | undefined> {
  try {
    // Debian ships the venv module without ensurepip, which creating one needs.
    const venv = await _run("python3", ["-c", "import ensurepip, venv"]);
    return venv.success
      ? undefined
      : "python3 -m venv is unavailable (apt-get install python3-venv)";
  } catch {
    return "python3 is not installed";
  }
}

/** The schemathesis executable, installing the pinned version into the virtualenv when missing. */
async function _schemathesis(): Promise<string> {
  const bin = `${VENV}/bin/schemathesis`;
  const version = await _run(bin, ["--version"]).catch(() => null);
  if (version?.success && _text(version.stdout).includes(SCHEMATHESIS.split("==")[1]!)) return bin;
  for (
    const [program, args] of [
      ["python3", ["-m", "venv", VENV]],
      [`${VENV}/bin/pip`, ["install", "--quiet", SCHEMATHESIS]],
    ] as const
  ) {
    const output = await _run(program, [...args]);
    assert.ok(output.success, `${program} ${args.join(" ")} failed: ${_text(output.stderr)}`);
  }
  return bin;
}

const reason = await _unavailable();
const name = "[e2e] schemathesis finds no failure against GET /openapi.json of deno task dev";

if (reason !== undefined && !Deno.env.get("CI")) {
  Deno.test({ name: `${name} (ignored: ${reason})`, ignore: true, fn() {} });
} else {
  Deno.test({
    name,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      assert.equal(reason, undefined, `Cannot run with CI set: ${reason}`);
      const schemathesis = await _schemathesis();
      const edge = await startEdgeProcess({}, "dev");
      // Schemathesis and Hypothesis keep caches in the working directory: a temporary one.
      const cwd = await Deno.makeTempDir({ prefix: "schemathesis-" });
      try {
        const output = await _run(
          schemathesis,
          ["run", `${edge.url}/openapi.json`, ...RUN_ARGS],
          cwd,
        );
        const report = _text(output.stdout);
        const summary = report.match(/Test cases:\s*\n\s*(.+)/)?.[1] ?? "no summary";
        console.log(`schemathesis: ${summary}`);
        assert.ok(output.success, `${report.slice(-6000)}\n${_text(output.stderr)}`);
        assert.match(summary, /generated, \d+ passed/);
      } finally {
        await edge.stop();
        await Deno.remove(cwd, { recursive: true });
      }
    },
  });
}
