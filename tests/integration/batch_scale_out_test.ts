import assert from "node:assert/strict";
import { createS3Store } from "../../lib/archive/s3_store.ts";
import type { ObjectStore } from "../../lib/archive/object_store.ts";
import { createCassandraHistory } from "../../lib/history/cassandra_store.ts";
import { dayRange } from "../../lib/batch/dates.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { serviceEndpoints } from "../services/endpoints.ts";
import { REPO_ROOT } from "../services/paths.ts";
import { testWithService } from "../services/test_with_service.ts";
import {
  assertMatchesTruth,
  buildDataset,
  groundTruth,
  writeRaw,
} from "../fixtures/batch_fixture.ts";
import {
  dropKeyspace,
  dumpTables,
  freshKeyspace,
  keyspaceConfig,
} from "../fixtures/cassandra_keyspace.ts";
import { cassandraProbe } from "../fixtures/history_probe.ts";

const silent = createLogger({ level: "silent" });
const DAYS = dayRange("2026-02-01", "2026-02-08");
const SPAN = { from: new Date("2024-06-01T00:00:00Z"), to: new Date("2026-02-08T00:00:00Z") };
const TABLES = [
  "pins",
  "day_categories",
  "day_media",
  "day_profiles",
  "year_categories",
  "year_media",
  "profile_days",
  "category_profiles",
  "batch_runs",
  "batch_leases",
];

/** A fresh bucket on the harness's S3 server, and the environment of a batch on it. */
async function _bucket(): Promise<
  { store: ObjectStore; env: (keyspace: string) => Record<string, string> }
> {
  const endpoints = serviceEndpoints();
  const bucket = `it-scale-${crypto.randomUUID().slice(0, 18)}`;
  const store = createS3Store({
    endpoint: endpoints.s3Endpoint,
    bucket,
    region: endpoints.s3Region,
    logger: silent,
    credentials: {
      accessKeyId: endpoints.s3AccessKeyId,
      secretAccessKey: endpoints.s3SecretAccessKey,
    },
  });
  await store.ensureBucket();
  const env = (keyspace: string) => ({
    S3_ENDPOINT: endpoints.s3Endpoint,
    S3_BUCKET: bucket,
    AWS_REGION: endpoints.s3Region,
    AWS_ACCESS_KEY_ID: endpoints.s3AccessKeyId,
    AWS_SECRET_ACCESS_KEY: endpoints.s3SecretAccessKey,
    CASSANDRA_CONTACT_POINTS: endpoints.cassandraContactPoints.join(","),
    CASSANDRA_LOCAL_DC: endpoints.cassandraLocalDataCenter,
    CASSANDRA_KEYSPACE: keyspace,
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
  });
  return { store, env };
}

/** What a `deno task batch` process printed on stderr, and its exit code. */
interface BatchProcess {
  code: number;
  lines: string[];
}

/** Runs `deno task batch` in a data directory of its own; `onLine` sees each stderr line. */
async function _batch(
  args: string[],
  env: Record<string, string>,
  onLine: (line: string) => void = () => {},
): Promise<BatchProcess> {
  const dataDir = await Deno.makeTempDir({ prefix: "batch_scale_out_" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "batch", ...args],
      cwd: REPO_ROOT,
      env: { ...env, PIPELINE_DATA_DIR: dataDir },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const lines: string[] = [];
    let rest = "";
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        onLine(line);
      }
    }
    if (rest) lines.push(rest);
    return { code: (await child.status).code, lines };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** The JSON log lines with message `msg`. */
function _logs(process: BatchProcess, msg: string): Array<{ time: string; day: string }> {
  return process.lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line))
    .filter((record) => record.msg === msg);
}

/** Asserts that no two processes ever held one day at once, from their logs. */
function _assertOneWriterPerDay(processes: BatchProcess[]): void {
  const spans = new Map<string, Array<[number, number]>>();
  for (const process of processes) {
    const ends = new Map(
      _logs(process, "Batch day done").map((record) => [record.day, Date.parse(record.time)]),
    );
    for (const { day, time } of _logs(process, "Batch day starting")) {
      const end = ends.get(day);
      assert.ok(end !== undefined, `a process started ${day} and never finished it`);
      spans.set(day, [...spans.get(day) ?? [], [Date.parse(time), end]]);
    }
  }
  for (const [day, list] of spans) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      assert.ok(list[i]![0] >= list[i - 1]![1], `two processes wrote ${day} at once`);
    }
  }
  assert.deepEqual([...spans.keys()].sort(), DAYS, "every day was done by some process");
}

await testWithService(["cassandra", "s3"], {
  name:
    "[batch+cassandra+s3] four deno task batch processes at once over eight days leave the history one sequential run leaves",
  async fn(t) {
    const { store, env } = await _bucket();
    const sequential = freshKeyspace("it_seq");
    const concurrent = freshKeyspace("it_par");
    try {
      const dataset = buildDataset({ seed: 21, events: 8 * 200, days: DAYS, span: SPAN });
      await writeRaw(store, dataset);
      const range = ["--from", DAYS[0]!, "--to", DAYS.at(-1)!];

      await t.step("one process runs the eight days in turn", async () => {
        const one = await _batch(range, env(sequential));
        assert.equal(one.code, 0, one.lines.join("\n"));
      });

      await t.step("four processes share the eight days, one writer per day", async () => {
        const started = performance.now();
        const four = await Promise.all([0, 1, 2, 3].map(() => _batch(range, env(concurrent))));
        console.log(`four processes: ${((performance.now() - started) / 1000).toFixed(1)} s`);
        let processed = 0;
        for (const process of four) {
          assert.ok([0, 3].includes(process.code), process.lines.join("\n"));
          const done = _logs(process, "Batch day done").length;
          const skipped = process.lines.filter((line) =>
            /^batch: Skipped 2026-02-0\d: /.test(line)
          );
          const meanwhile = process.lines.find((line) => line.startsWith("batch: Done meanwhile"));
          const elsewhere = meanwhile?.match(/\d{4}-\d{2}-\d{2}/g) ?? [];
          assert.equal(done + skipped.length + elsewhere.length, DAYS.length, "each day accounted");
          assert.equal(process.code, skipped.length > 0 ? 3 : 0);
          processed += done;
        }
        assert.equal(processed, DAYS.length, "no day was done twice");
        _assertOneWriterPerDay(four);
      });

      await t.step("both keyspaces hold the same rows, aggregates and runs", async () => {
        const omit = ["duration_ms", "finished_at"];
        const expected = await dumpTables(sequential, TABLES, omit);
        assert.deepEqual(await dumpTables(concurrent, TABLES, omit), expected);
        assert.equal(expected.batch_runs!.length, DAYS.length);
        assert.deepEqual(expected.batch_leases, []);
        const history = await createCassandraHistory(keyspaceConfig(concurrent), silent);
        const probe = await cassandraProbe(keyspaceConfig(concurrent));
        try {
          await assertMatchesTruth(history, probe, groundTruth(dataset));
        } finally {
          await probe.close();
          await history.close();
        }
      });
    } finally {
      await dropKeyspace(sequential);
      await dropKeyspace(concurrent);
      for (const object of await store.list("")) await store.delete(object.key);
      await store.close();
    }
  },
});

await testWithService(["cassandra", "s3"], {
  name:
    "[batch+cassandra+s3] deno task batch --date D exits 3 naming the holder of D's lease; with --lease-wait it waits for it",
  async fn(t) {
    const { store, env } = await _bucket();
    const keyspace = freshKeyspace("it_held");
    const history = await createCassandraHistory(keyspaceConfig(keyspace), silent);
    const day = DAYS[0]!;
    try {
      await history.migrate();
      await writeRaw(store, buildDataset({ seed: 22, events: 200, days: [day], span: SPAN }));
      const holder = "airflow-worker-7:4242:feedbeef";
      const held = await history.leaseDay(day, holder);
      assert.ok("lease" in held);
      try {
        await t.step(
          "without a wait: exit 3 and one line with the day and the holder",
          async () => {
            const run = await _batch(["--date", day], env(keyspace));
            assert.equal(run.code, 3, run.lines.join("\n"));
            assert.ok(
              run.lines.includes(`batch: Skipped ${day}: another run holds its lease (${holder})`),
              run.lines.join("\n"),
            );
            assert.deepEqual(await history.runs(), [], "nothing was written");
          },
        );

        await t.step(
          "--lease-wait 60 waits until the holder lets go, then runs the day",
          async () => {
            const run = await _batch(
              ["--date", day, "--lease-wait", "60"],
              env(keyspace),
              (line) => {
                if (line.includes('"msg":"Batch day leased by another run; waiting"')) {
                  void held.lease.release();
                }
              },
            );
            assert.equal(run.code, 0, run.lines.join("\n"));
            assert.deepEqual((await history.runs()).map((r) => [r.day, r.status]), [
              [day, "succeeded"],
            ]);
          },
        );
      } finally {
        await held.lease.release();
      }
    } finally {
      await history.close();
      await dropKeyspace(keyspace);
      for (const object of await store.list("")) await store.delete(object.key);
      await store.close();
    }
  },
});
