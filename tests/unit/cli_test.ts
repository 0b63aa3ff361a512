import assert from "node:assert/strict";
import {
  failureLine,
  type MainIo,
  parseTaskArgs,
  runMain,
  type TaskSpec,
  UsageError,
} from "../../lib/runtime/cli.ts";
import { formatHelp } from "../../lib/runtime/cli_help.ts";
import { ConfigError, loadConfig } from "../../lib/runtime/config.ts";
import { ENV_GROUPS } from "../../lib/runtime/env_catalog.ts";
import { recordEnvReads } from "../../lib/runtime/env_vars.ts";
import { README } from "../fixtures/commands.ts";

const SPEC = {
  name: "demo",
  summary: "A demo task",
  argument: { name: "SQL", description: "One statement" },
  flags: {
    format: { type: "string", choices: ["table", "csv"], default: "table", description: "Format" },
    "max-rows": { type: "integer", min: 1, default: 200, description: "Rows shown" },
    url: { type: "string", value: "URL", default: "http://a", env: "DEMO_URL", description: "Url" },
    date: {
      type: "string",
      description: "A day",
      check: (value: string, name: string) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`Bad --${name} '${value}'`);
      },
    },
    verbose: { type: "boolean", short: "v", description: "Say more" },
  },
  env: ["common", "schedule"],
  examples: ["deno task demo 'SELECT 1'"],
} satisfies TaskSpec;

function _usage(args: string[], env = {}): string {
  try {
    parseTaskArgs(SPEC, args, env);
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  assert.fail(`${JSON.stringify(args)} was accepted`);
}

Deno.test("[cli] parseTaskArgs reads flags with their types, defaults and env fallbacks", () => {
  const parsed = parseTaskArgs(SPEC, ["--format=csv", "--max-rows", "5", "-v", "SELECT 1"]);
  assert.notEqual(parsed, "help");
  if (parsed === "help") return;
  assert.deepEqual(parsed.flags, {
    format: "csv",
    "max-rows": 5,
    url: "http://a",
    date: undefined,
    verbose: true,
  });
  assert.equal(parsed.argument, "SELECT 1");
  const fromEnv = parseTaskArgs(SPEC, ["x"], { DEMO_URL: "http://b" });
  assert.equal(fromEnv !== "help" && fromEnv.flags.url, "http://b");
  const given = parseTaskArgs(SPEC, ["--url", "http://c", "x"], { DEMO_URL: "http://b" });
  assert.equal(given !== "help" && given.flags.url, "http://c");
});

Deno.test("[cli] parseTaskArgs sees --help and -h anywhere, even beside bad flags", () => {
  assert.equal(parseTaskArgs(SPEC, ["--help"]), "help");
  assert.equal(parseTaskArgs(SPEC, ["--bogus", "-h"]), "help");
});

Deno.test("[cli] parseTaskArgs names the flag and the value of each usage error", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--bogus", "x"], /^Unknown flag '--bogus': deno task demo --help lists the flags$/],
    [["-x", "x"], /^Unknown flag '-x'/],
    [["--format", "xml", "x"], /^Invalid --format: expected one of table, csv, .*'xml'$/],
    [["--max-rows", "abc", "x"], /^Invalid --max-rows: expected an integer >= 1, .*'abc'$/],
    [["--max-rows", "-1", "x"], /^Invalid --max-rows: .*current value is '-1'$/],
    [["--max-rows", "1.5", "x"], /'1\.5'/],
    [["--date", "2026-13", "x"], /^Bad --date '2026-13'$/],
    [["x", "--format"], /^Missing the value of --format: expected --format table\|csv$/],
    [["--format", "--max-rows", "5", "x"], /^Missing the value of --format/],
    [["--verbose=yes", "x"], /^Invalid --verbose: expected no value, current value is 'yes'$/],
    [[], /^Missing the SQL argument: deno task demo \[options\] "SQL"$/],
    [["a", "b"], /^Unexpected argument 'b': demo takes one SQL argument; quote it$/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(none)", () => assert.match(_usage(args), message));
  }
  await t.step("a task without an argument rejects a stray one", () => {
    assert.throws(
      () => parseTaskArgs({ name: "svc", summary: "" }, ["start"]),
      /^UsageError: Unexpected argument 'start': svc takes no arguments$/,
    );
  });
});

Deno.test("[cli] formatHelp prints usage, flags, the variables with defaults, examples, exits", () => {
  const help = formatHelp(SPEC);
  assert.match(help, /^Usage: deno task demo \[options\] "SQL"\n/);
  assert.match(help, /--format table\|csv +Format \(default table\)/);
  assert.match(help, /-v, --verbose +Say more/);
  assert.match(help, /--url URL +Url \(default http:\/\/a, or DEMO_URL\)/);
  assert.match(help, /-h, --help +Print this help and exit/);
  assert.match(help, /\nEnvironment .*:\n/);
  assert.match(help, /BATCH_SCHEDULE +Cron expression .* \(default 30 1 \* \* \*\)/);
  assert.match(help, /DEMO_URL +The default of --url/);
  assert.ok(!help.includes("KAFKA_BROKERS"), "lists a group the task does not read");
  assert.match(help, /Examples:\n {2}deno task demo 'SELECT 1'/);
  assert.match(help, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 {2}Usage error/);
});

Deno.test("[cli] the variable catalog matches what loadConfig reads, and README lists each", () => {
  const sdk = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  const cataloged = Object.values(ENV_GROUPS).flatMap((group) => Object.keys(group));
  const read = recordEnvReads(loadConfig).map((variable) => variable.name);
  assert.deepEqual(cataloged.filter((name) => !read.includes(name)).sort(), sdk);
  assert.deepEqual(read.filter((name) => !cataloged.includes(name)), []);
  assert.equal(new Set(cataloged).size, cataloged.length, "a variable is in two groups");
  for (const name of cataloged) assert.ok(README.includes(`\`${name}\``), `README lacks ${name}`);
});

Deno.test("[cli] failureLine is one line that names the variable at fault", () => {
  const cause = new Error("connect ECONNREFUSED");
  const unreachable = new ConfigError("KAFKA_BROKERS", "Cannot connect to Kafka at h:1", { cause });
  assert.equal(
    failureLine("stream", unreachable),
    "stream: Cannot connect to Kafka at h:1 (KAFKA_BROKERS)",
  );
  const invalid = new ConfigError("PORT", "Invalid PORT: expected ..., current value is 'x'");
  assert.equal(failureLine("edge", invalid), `edge: ${invalid.message}`);
  assert.equal(
    failureLine("query", new Error("Parser Error\nLINE 1: SELEC")),
    "query: Parser Error",
  );
});

function _io(args: string[], env: Record<string, string> = {}) {
  const out = {
    stdout: [] as string[],
    stderr: [] as string[],
    exit: undefined as number | undefined,
  };
  const io: MainIo = {
    args,
    env,
    stdout: (text) => out.stdout.push(text),
    stderr: (text) => out.stderr.push(text),
    exit: (code) => void (out.exit = code),
  };
  return { io, out };
}

Deno.test("[cli] runMain: help, usage errors, failures and exit codes", async (t) => {
  let started = 0;
  const start = () => {
    started++;
    return Promise.resolve();
  };
  await t.step("--help prints the help and exits 0 without starting", async () => {
    const { io, out } = _io(["--help"]);
    await runMain(SPEC, start, io);
    assert.equal(started, 0);
    assert.equal(out.exit, 0);
    assert.match(out.stdout.join(""), /^Usage: deno task demo/);
  });
  await t.step("a usage error is one line and exit 2", async () => {
    const { io, out } = _io(["--format", "xml", "x"]);
    await runMain(SPEC, start, io);
    assert.equal(started, 0);
    assert.equal(out.exit, 2);
    assert.deepEqual(out.stderr, [
      "demo: Invalid --format: expected one of table, csv, current value is 'xml'",
    ]);
  });
  await t.step("a failure at start is one line and exit 1; the stack only at debug", async () => {
    const fail = () => Promise.reject(new ConfigError("DATABASE_URL", "Cannot connect"));
    const quiet = _io(["x"]);
    await runMain(SPEC, fail, quiet.io);
    assert.equal(quiet.out.exit, 1);
    assert.deepEqual(quiet.out.stderr, ["demo: Cannot connect (DATABASE_URL)"]);
    const debug = _io(["x"], { LOG_LEVEL: "debug" });
    await runMain(SPEC, fail, debug.io);
    assert.equal(debug.out.stderr.length, 2);
    assert.match(debug.out.stderr[1]!, /ConfigError: Cannot connect\n {4}at /);
  });
  await t.step("a UsageError thrown by the task exits 2", async () => {
    const { io, out } = _io(["x"]);
    await runMain(SPEC, () => Promise.reject(new UsageError("Cannot combine")), io);
    assert.equal(out.exit, 2);
  });
  await t.step("a returned code is the exit code; nothing returned keeps the process", async () => {
    const finished = _io(["x"]);
    await runMain(SPEC, () => Promise.resolve(1), finished.io);
    assert.equal(finished.out.exit, 1);
    const running = _io(["x"]);
    await runMain(SPEC, start, running.io);
    assert.equal(running.out.exit, undefined);
    assert.equal(started, 1);
  });
});
