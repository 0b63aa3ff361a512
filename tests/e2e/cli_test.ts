import assert from "node:assert/strict";
import { freePort } from "../fixtures/commands.ts";
import { REPO_ROOT } from "../services/paths.ts";

const TASKS = ["dev", "edge", "stream", "archive", "schedule", "batch", "query", "emulate", "dlq"];

/** Unset every service variable the test machine may have, so each case picks its own. */
const _EMBEDDED = {
  KAFKA_BROKERS: "",
  DATABASE_URL: "",
  S3_ENDPOINT: "",
  CASSANDRA_CONTACT_POINTS: "",
  BATCH_SCHEDULE: "",
  LOG_LEVEL: "",
  NO_COLOR: "1",
};

interface _Run {
  code: number;
  stdout: string;
  /** Non-empty lines. */
  stderr: string[];
  seconds: number;
}

async function _task(args: string[], env: Record<string, string> = {}): Promise<_Run> {
  const dataDir = await Deno.makeTempDir({ prefix: "cli-" });
  const started = performance.now();
  try {
    const output = await new Deno.Command("deno", {
      args: ["task", "-q", ...args],
      cwd: REPO_ROOT,
      env: {
        ..._EMBEDDED,
        PIPELINE_DATA_DIR: dataDir,
        HOST: "127.0.0.1",
        PORT: String(freePort()),
        METRICS_PORT: String(freePort()),
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return {
      code: output.code,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr).split("\n").filter((line) => line.trim() !== ""),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

function _oneLine(run: _Run, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, run.stderr.join("\n"));
  assert.equal(run.stderr.length, 1, `expected one line, got:\n${run.stderr.join("\n")}`);
  assert.match(run.stderr[0]!, pattern);
}

Deno.test("[cli] every task prints --help and exits 0 without starting anything", async (t) => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    for (const task of TASKS) {
      await t.step(task, async () => {
        const dataDir = await Deno.makeTempDir({ prefix: "cli-help-" });
        try {
          const port = String(taken.addr.port);
          const run = await _task([task, "--help"], {
            PORT: port,
            METRICS_PORT: port,
            KAFKA_BROKERS: "127.0.0.1:1",
            PIPELINE_DATA_DIR: dataDir,
          });
          assert.equal(run.code, 0, run.stderr.join("\n"));
          assert.deepEqual(run.stderr, []);
          assert.match(run.stdout, new RegExp(`^Usage: deno task ${task} `));
          assert.match(run.stdout, /\nOptions:\n[\s\S]*\n\nEnvironment .*:\n {2}[A-Z_]+ /);
          assert.match(run.stdout, /\nExit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
          assert.deepEqual(await Array.fromAsync(Deno.readDir(dataDir)), [], "it wrote data");
          assert.ok(run.seconds < 30, `--help took ${run.seconds.toFixed(1)} s`);
        } finally {
          await Deno.remove(dataDir, { recursive: true });
        }
      });
    }
  } finally {
    taken.close();
  }
});

Deno.test("[cli] an unknown flag or a stray argument is one line and exit 2", async (t) => {
  for (const task of TASKS) {
    await t.step(task, async () => {
      const run = await _task([task, "--bogus", "x"]);
      _oneLine(run, 2, new RegExp(`^${task}: Unknown flag '--bogus': deno task ${task} --help`));
    });
  }
  await t.step("a service given an argument does not start", async () => {
    _oneLine(
      await _task(["stream", "now"]),
      2,
      /^stream: Unexpected argument 'now': stream takes no arguments$/,
    );
  });
  await t.step("batch --date 2026-13-01", async () => {
    _oneLine(
      await _task(["batch", "--date", "2026-13-01"]),
      2,
      /^batch: Invalid --date: expected a day as YYYY-MM-DD, current value is '2026-13-01'$/,
    );
  });
});

Deno.test("[cli] query checks --format, --max-rows and --engine before it runs", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--format", "xml"], /^query: Invalid --format: expected one of table, csv, json, .*'xml'$/],
    [["--max-rows", "abc"], /^query: Invalid --max-rows: expected an integer >= 1, .*'abc'$/],
    [["--max-rows", "-1"], /^query: Invalid --max-rows: .*current value is '-1'$/],
    [
      ["--engine", "presto"],
      /^query: Invalid --engine: expected one of duckdb, trino, .*'presto'$/,
    ],
  ];
  for (const [flags, pattern] of cases) {
    await t.step(flags.join(" "), async () => {
      _oneLine(await _task(["query", ...flags, "SELECT 1"]), 2, pattern);
    });
  }
  await t.step("no SQL", async () => {
    _oneLine(await _task(["query"]), 2, /^query: Missing the SQL argument/);
  });
  await t.step("--engine trino on a local archive", async () => {
    _oneLine(
      await _task(["query", "--engine", "trino", "SELECT 1"]),
      1,
      /^query: Cannot query with --engine trino: Trino reads the curated Parquet from S3, .*set S3_ENDPOINT and S3_BUCKET/,
    );
  });
});

Deno.test("[cli] a bad setting is one line naming the variable, exit 1, no stack", async (t) => {
  const cases: Array<[string | string[], Record<string, string>, RegExp]> = [
    ["edge", { DATABASE_URL: "nonsense" }, /^edge: Invalid DATABASE_URL: .*'nonsense'$/],
    [
      "stream",
      { DATABASE_URL: "postgres://pipeline:s3cret@db:99999/pipeline" },
      /^stream: Invalid DATABASE_URL: .*'postgres:\/\/pipeline:\*\*\*@db:99999\/pipeline'$/,
    ],
    [
      "schedule",
      { BATCH_SCHEDULE: "every day" },
      /^schedule: Invalid BATCH_SCHEDULE: .*'every day'/,
    ],
    ["dev", { BATCH_SCHEDULE: "0 24 * * *" }, /^dev: Invalid BATCH_SCHEDULE: .*hour '24'/],
    [
      ["query", "SELECT 1"],
      { S3_ENDPOINT: "minio:9000" },
      /^query: Invalid S3_ENDPOINT: .*'minio:9000'$/,
    ],
    ["batch", { LOG_LEVEL: "loud" }, /^batch: Invalid LOG_LEVEL: .*'loud'$/],
  ];
  for (const [args, env, pattern] of cases) {
    await t.step(`${[args].flat()[0]} ${JSON.stringify(env)}`, async () => {
      _oneLine(await _task([args].flat(), env), 1, pattern);
    });
  }
  await t.step("LOG_LEVEL=debug adds the stack", async () => {
    const run = await _task(["stream"], { DATABASE_URL: "nonsense", LOG_LEVEL: "debug" });
    assert.equal(run.code, 1);
    assert.match(run.stderr[0]!, /^stream: Invalid DATABASE_URL/);
    assert.ok(run.stderr.some((line) => /^\s+at /.test(line)), run.stderr.join("\n"));
  });
});

Deno.test("[cli] an unreachable Kafka fails within seconds, naming KAFKA_BROKERS", async (t) => {
  for (const task of ["stream", "archive"]) {
    await t.step(task, async () => {
      const run = await _task([task], { KAFKA_BROKERS: "127.0.0.1:1" });
      _oneLine(
        run,
        1,
        new RegExp(
          `^${task}: Cannot connect to Kafka at 127\\.0\\.0\\.1:1: .*\\(KAFKA_BROKERS\\)$`,
        ),
      );
      assert.ok(run.seconds < 30, `it took ${run.seconds.toFixed(1)} s`);
    });
  }
});

Deno.test("[cli] a port in use names the address and the variable", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = taken.addr.port;
    const run = await _task(["archive"], { METRICS_PORT: String(port), LOG_LEVEL: "warn" });
    _oneLine(
      run,
      1,
      new RegExp(
        `^archive: Cannot listen on 127\\.0\\.0\\.1:${port}: address already in use \\(set METRICS_PORT\\)$`,
      ),
    );
  } finally {
    taken.close();
  }
});
