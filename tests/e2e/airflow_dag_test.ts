/**
 * The DAGs of `ops/airflow/dags` on a real Airflow: the pinned install (see
 * `tests/fixtures/airflow_venv.ts`), a SQLite metadata database in a
 * temporary `AIRFLOW_HOME`, the DAG file linked into its `dags/` as README
 * says, and the batch on the embedded defaults over a generated raw archive.
 * Each step drives one Airflow command and checks the history store. Without
 * a usable `python3 -m venv` the test is ignored with the reason; under `CI`
 * it fails instead.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { createLocalStore } from "../../lib/archive/local_store.ts";
import { AIRFLOW_VERSION, airflowUnavailable, installAirflow } from "../fixtures/airflow_venv.ts";
import { buildDataset, groundTruth, writeRaw } from "../fixtures/batch_fixture.ts";
import { embeddedProbe } from "../fixtures/history_probe.ts";
import { runProgram, text } from "../fixtures/python_venv.ts";
import { REPO_ROOT } from "../services/paths.ts";
import { testIfAvailable } from "../services/test_with_service.ts";

const DAYS = ["2026-03-01", "2026-03-02"];
const SPAN = { from: new Date("2025-06-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") };
const BUCKET = "pinterest-pipeline";
const HOLDER = "elsewhere:42:0badf00d";

/** Unset every service variable the test machine may have: the embedded defaults. */
const _EMBEDDED = {
  KAFKA_BROKERS: "",
  DATABASE_URL: "",
  S3_ENDPOINT: "",
  CASSANDRA_CONTACT_POINTS: "",
  S3_BUCKET: BUCKET,
  LOG_LEVEL: "warn",
  NO_COLOR: "1",
};

/** The JSON lines of a command's output (Airflow prints its log lines beside them). */
function _json(output: string): unknown[] {
  return output.split("\n").filter((line) => /^[[{]/.test(line)).flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

testIfAvailable(await airflowUnavailable(), {
  name:
    `[airflow] Airflow ${AIRFLOW_VERSION} runs deno task batch per day and maps its exit codes to task outcomes`,
  async fn(t) {
    const { bin, installSeconds } = await installAirflow();
    console.log(
      installSeconds > 0
        ? `airflow: installed ${AIRFLOW_VERSION} in ${installSeconds.toFixed(1)} s`
        : `airflow: reused the install in ${bin}`,
    );
    const dir = await Deno.makeTempDir({ prefix: "airflow-dag-" });
    const dataDir = `${dir}/data`;
    const home = `${dir}/airflow`;
    await Deno.mkdir(`${home}/dags`, { recursive: true });
    await Deno.symlink(
      `${REPO_ROOT}/ops/airflow/dags/pinterest_batch.py`,
      `${home}/dags/pinterest_batch.py`,
    );
    const env = {
      ..._EMBEDDED,
      PIPELINE_DATA_DIR: dataDir,
      // Unset: the DAG finds the project through its link.
      PIPELINE_HOME: "",
      AIRFLOW_HOME: home,
      AIRFLOW__CORE__LOAD_EXAMPLES: "False",
      AIRFLOW__USAGE_DATA_COLLECTION__ENABLED: "False",
      // A backfill runs each task as an `airflow` process; the batch runs `deno`.
      PATH: `${bin}:${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    };
    const airflow = async (...args: string[]) => {
      const started = performance.now();
      const output = await runProgram(`${bin}/airflow`, args, { env, cwd: dir });
      const out = `${text(output.stdout)}\n${text(output.stderr)}`;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`airflow ${args.slice(0, 2).join(" ")}: exit ${output.code} in ${seconds} s`);
      return { ok: output.success, out, tail: out.slice(-4000) };
    };
    const probe = embeddedProbe(`${dataDir}/history/history.duckdb`);
    try {
      const dataset = buildDataset({ seed: 13, events: 400, days: DAYS, span: SPAN });
      const store = createLocalStore({ dir: `${dataDir}/archive/${BUCKET}` });
      await store.ensureBucket();
      await writeRaw(store, dataset);
      await store.close();
      const truth = groundTruth(dataset).rowsOut;

      await t.step("airflow db migrate sets up its SQLite database", async () => {
        const migrate = await airflow("db", "migrate");
        assert.ok(migrate.ok, migrate.tail);
      });

      await t.step("the DAG file imports cleanly: no import errors", async () => {
        const imported = await runProgram(`${bin}/python`, ["-c", "import pinterest_batch"], {
          env,
          cwd: `${home}/dags`,
        });
        assert.ok(imported.success, text(imported.stderr));
        const errors = await airflow("dags", "list-import-errors", "--output", "json");
        assert.ok(errors.ok, errors.tail);
        assert.deepEqual(_json(errors.out), [[]]);
      });

      await t.step(`airflow dags test pinterest_batch ${DAYS[0]} writes that day`, async () => {
        const run = await airflow("dags", "test", "pinterest_batch", DAYS[0]!);
        assert.ok(run.ok, run.tail);
        assert.match(
          run.out,
          /Running command: \['bash', '-c', 'deno task batch --date 2026-03-01'\]/,
        );
        assert.equal(await probe.countRows(DAYS[0]!), truth.get(DAYS[0]!));
        assert.equal(await probe.countRows(DAYS[1]!), 0);
      });

      await t.step("a day whose lease another run holds (exit 3) is up for retry", async () => {
        await Deno.mkdir(`${dataDir}/history/leases`, { recursive: true });
        using lease = await Deno.open(`${dataDir}/history/leases/${DAYS[1]}.lock`, {
          write: true,
          create: true,
        });
        assert.ok(await lease.tryLock(true));
        await lease.write(new TextEncoder().encode(`${HOLDER}\n`));
        const run = await airflow("tasks", "test", "pinterest_batch", "batch", DAYS[1]!);
        assert.ok(!run.ok, run.tail);
        assert.match(run.out, /Command exited with return code 3/);
        assert.match(run.out, /Marking task as UP_FOR_RETRY/);
        assert.ok(run.out.includes(`another run holds its lease (${HOLDER})`), run.tail);
        assert.equal(await probe.countRows(DAYS[1]!), 0);
      });

      await t.step(`airflow dags backfill of ${DAYS[1]} runs the same tasks`, async () => {
        const run = await airflow(
          "dags",
          "backfill",
          "--start-date",
          DAYS[1]!,
          "--end-date",
          DAYS[1]!,
          "pinterest_batch",
        );
        assert.ok(run.ok, run.tail);
        assert.match(run.out, /finished run 1 of 1 .* succeeded: 2 .* failed: 0/);
        assert.equal(await probe.countRows(DAYS[1]!), truth.get(DAYS[1]!));
      });

      await t.step("pinterest_batch_range runs --from --to, again idempotent", async () => {
        const conf = JSON.stringify({ from: DAYS[0], to: DAYS[1] });
        const run = await airflow("dags", "test", "pinterest_batch_range", "--conf", conf);
        assert.ok(run.ok, run.tail);
        assert.match(run.out, /deno task batch --from "\$BATCH_FROM" --to "\$BATCH_TO"/);
        assert.match(run.out, /Marking task as SUCCESS/);
        for (const day of DAYS) assert.equal(await probe.countRows(day), truth.get(day));
      });

      await t.step("a usage error (exit 2) fails the run at once, without retry", async () => {
        const conf = JSON.stringify({ from: DAYS[1], to: DAYS[0] });
        const run = await airflow("dags", "test", "pinterest_batch_range", "--conf", conf);
        assert.ok(!run.ok, run.tail);
        assert.match(run.out, /--to is before --from/);
        assert.match(run.out, /Immediate failure requested\. Marking task as FAILED/);
        assert.match(run.out, /DagRun failed/);
      });
    } finally {
      await probe.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
