import assert from "node:assert/strict";
import type { Bus } from "../../lib/bus/bus.ts";
import { createEmbeddedBus } from "../../lib/bus/embedded/embedded_bus.ts";
import { runDlq } from "../../lib/dlq/dlq_cli.ts";
import { listDeadLetters } from "../../lib/dlq/dlq_list.ts";
import { replayDeadLetters } from "../../lib/dlq/dlq_replay.ts";
import { createIngestor, type Ingestor } from "../../lib/ingest/ingest.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import type { DeadLetter } from "../../lib/pin/dead_letter.ts";
import { createPgliteClient } from "../../lib/realtime/pglite_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { createLogger } from "../../lib/runtime/logger.ts";
import { createProcessRegistry } from "../../lib/runtime/process_registry.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { readTopic } from "../fixtures/read_topic.ts";
import { seedPin } from "../fixtures/seed_pins.ts";

const silent = createLogger({ level: "silent" });
const NOW = Date.parse("2026-11-26T12:00:00.000Z");
const PROBLEM = { path: "index", message: 'Expected an integer, got "7528"' };

interface Rig {
  dir: string;
  bus: Bus;
  /** Writes dead letters as the edge does, received at `at`. */
  letters(at: string, letters: DeadLetter[]): Promise<void>;
  ingestor(): Ingestor;
}

async function withRig(body: (rig: Rig) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dlq_tool_test_" });
  const bus = await createEmbeddedBus({ dir: `${dir}/bus` });
  const ingestor = (now = () => new Date(NOW)) =>
    createIngestor({
      bus,
      pinsTopic: "pins",
      dlqTopic: "pins.dlq",
      timeoutMs: 5000,
      newId: createUuidV7(),
      now,
    });
  try {
    await bus.ensureTopics([{ name: "pins", partitions: 3 }, { name: "pins.dlq", partitions: 1 }]);
    await body({
      dir,
      bus,
      async letters(at, letters) {
        const writer = ingestor(() => new Date(at));
        await writer.deadLetter(letters);
        await writer.close();
      },
      ingestor: () => ingestor(),
    });
  } finally {
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function letter(source: string, reason: string, raw: string, index?: number): DeadLetter {
  return { source, reason, problems: [PROBLEM], raw, index };
}

/** Runs the task's command line and captures what it prints; on `bus` (left open) when given. */
async function dlq(bus: Bus | null, args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  let code = -1;
  await runDlq({
    args,
    env,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    exit: (exitCode) => code = exitCode,
  }, {
    now: () => NOW,
    openBus: bus ? () => Promise.resolve({ ...bus, close: () => Promise.resolve() }) : undefined,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("[dlq] list filters by reason, source prefix, time and limit", async (t) => {
  await withRig(async ({ bus, letters }) => {
    await letters("2026-11-26T09:00:00.000Z", [letter("edge:/pins", "invalid", "{}", 0)]);
    await letters("2026-11-26T11:30:00.000Z", [
      letter("edge:/pin/", "invalid", "{}"),
      letter("stream:pins/2@17", "not JSON", "{oops"),
    ]);
    await letters("2026-11-26T11:59:00.000Z", [letter("stream:pins/0@3", "not a pin event", "[]")]);
    const ids = async (filter: Parameters<typeof listDeadLetters>[2], limit = 0) =>
      (await listDeadLetters(bus, "pins.dlq", filter, limit)).rows.map((row) => row.id);

    await t.step("no filter: every record, oldest first", async () => {
      assert.deepEqual(await ids({}), ["0@0", "0@1", "0@2", "0@3"]);
    });
    await t.step("--reason is exact", async () => {
      assert.deepEqual(await ids({ reason: "invalid" }), ["0@0", "0@1"]);
      assert.deepEqual(await ids({ reason: "inval" }), []);
    });
    await t.step("--source is a prefix", async () => {
      assert.deepEqual(await ids({ source: "stream:" }), ["0@2", "0@3"]);
      assert.deepEqual(await ids({ source: "edge:/pin" }), ["0@0", "0@1"]);
    });
    await t.step("--since and --until bound received_at", async () => {
      const since = Date.parse("2026-11-26T11:00:00Z");
      assert.deepEqual(await ids({ sinceMs: since }), ["0@1", "0@2", "0@3"]);
      assert.deepEqual(await ids({ sinceMs: since, untilMs: Date.parse("2026-11-26T11:59:00Z") }), [
        "0@1",
        "0@2",
      ]);
    });
    await t.step("--limit keeps the newest", async () => {
      const listing = await listDeadLetters(bus, "pins.dlq", {}, 2);
      assert.deepEqual(listing.rows.map((row) => row.id), ["0@2", "0@3"]);
      assert.deepEqual([listing.matched, listing.scanned], [4, 4]);
    });
    await t.step("the table: id, received_at, source, reason, first problem, size", async () => {
      const { code, out, err } = await dlq(bus, ["list", "--since", "1h", "--source", "stream:"]);
      assert.equal(code, 0);
      const lines = out.split("\n");
      assert.match(lines[0]!, /^ID\s+RECEIVED_AT\s+SOURCE\s+REASON\s+FIRST PROBLEM\s+SIZE$/);
      assert.match(
        lines[2]!,
        /^0@2\s+2026-11-26T11:30:00\.000Z\s+stream:pins\/2@17\s+not JSON\s+index: Expected an integer, got "7528"\s+5 B$/,
      );
      assert.equal(lines.length, 4);
      assert.equal(err, "2 shown of 2 matching, 4 on pins.dlq");
    });
    await t.step("--format json", async () => {
      const { out } = await dlq(bus, ["list", "--reason", "not a pin event", "--format", "json"]);
      assert.deepEqual(JSON.parse(out), [{
        id: "0@3",
        partition: 0,
        offset: 3,
        received_at: "2026-11-26T11:59:00.000Z",
        source: "stream:pins/0@3",
        reason: "not a pin event",
        first_problem: 'index: Expected an integer, got "7528"',
        problem_count: 1,
        size: 2,
        truncated: false,
        malformed: null,
      }]);
    });
  });
});

Deno.test("[dlq] show prints the whole record: fields, every problem, the raw text pretty-printed", async (t) => {
  await withRig(async ({ bus, letters }) => {
    const raw = JSON.stringify({ ...seedPin(), index: "7528" });
    await letters("2026-11-26T11:30:00.000Z", [{
      source: "edge:/pins",
      reason: "invalid",
      problems: [PROBLEM, { path: "category", message: "Missing required field 'category'" }],
      raw,
      index: 4,
    }]);
    await t.step("as text", async () => {
      const { code, out } = await dlq(bus, ["show", "0@0"]);
      assert.equal(code, 0);
      assert.match(
        out,
        /^id {11}0@0\nreceived_at {2}2026-11-26T11:30:00\.000Z\nsource {7}edge:\/pins\n/,
      );
      assert.match(out, /\nindex {8}4\n/);
      assert.match(
        out,
        /\nproblems \(2\)\n {2}- index: Expected an integer, got "7528"\n {2}- category: /,
      );
      assert.ok(
        out.endsWith(`raw (JSON, pretty-printed):\n${JSON.stringify(JSON.parse(raw), null, 2)}`),
      );
    });
    await t.step("as JSON", async () => {
      const shown = JSON.parse((await dlq(bus, ["show", "0@0", "--format", "json"])).out);
      assert.equal(shown.raw, raw);
      assert.equal(shown.problems.length, 2);
    });
    await t.step("an id that is not on the topic is one line and exit 1", async () => {
      const { code, err } = await dlq(bus, ["show", "0@7"]);
      assert.equal(code, 1);
      assert.equal(
        err,
        "dlq show: No record 0@7 on topic 'pins.dlq': partition 0 holds offsets 0 to 0",
      );
    });
  });
});

Deno.test("[dlq] hostile records (not JSON, mistyped, cut, huge, deeply nested) are shown and reported", async (t) => {
  await withRig(async ({ bus, letters }) => {
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    await letters("2026-11-26T11:00:00.000Z", [
      letter("edge:/pins", "invalid", "x".repeat(300 * 1024)),
      letter("edge:/pin/", "invalid", deep),
      letter("edge:/pins", "invalid\u001b[2J", '{"title":"\u202eevil"}'),
    ]);
    await bus.produce("pins.dlq", [
      { key: null, value: "not JSON \u001b]0;pwned\u0007" },
      {
        key: null,
        value: JSON.stringify({ source: 5, problems: "x", raw: { a: 1 }, received_at: "soon" }),
      },
      { key: null, value: JSON.stringify({ raw: "y".repeat(2 * 1024 * 1024) }) },
    ]);
    await t.step("list shows every record, control characters escaped", async () => {
      const { code, out } = await dlq(bus, ["list"]);
      assert.equal(code, 0);
      assert.equal(out.split("\n").length, 2 + 6);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u202e]/);
      assert.match(out, /0@0 .* 64\.0 KiB, cut$/m);
      assert.match(out, /invalid\\u\{1b\}\[2J/);
      assert.match(
        out,
        /0@3 .*\(not a dead-letter record\)\s+Not a dead-letter record: the value is not JSON/,
      );
      assert.match(
        out,
        /0@4 .*missing or mistyped field\(s\): source, reason,…/,
      );
      assert.match(out, /0@5 .* 2\.0 MiB$/m);
    });
    await t.step("show prints each of them", async () => {
      for (const id of ["0@0", "0@1", "0@2", "0@3", "0@4", "0@5"]) {
        const { code, out } = await dlq(bus, ["show", id]);
        assert.equal(code, 0, id);
        // deno-lint-ignore no-control-regex
        assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u202e]/, id);
      }
      assert.match((await dlq(bus, ["show", "0@1"])).out, /raw \(as received\):\n\[\[\[/);
      assert.match(
        (await dlq(bus, ["show", "0@3"])).out,
        /value \(as on the topic\):\nnot JSON \\u\{1b\}/,
      );
    });
    await t.step(
      "replay reports each: cut and malformed skipped, the rest still failing",
      async () => {
        const report = JSON.parse((await dlq(bus, ["replay", "--format", "json"])).out);
        assert.deepEqual(
          report.lines.map((line: { id: string; outcome: string }) => `${line.id} ${line.outcome}`),
          [
            "0@0 skipped",
            "0@1 still failing",
            "0@2 still failing",
            "0@3 skipped",
            "0@4 skipped",
            "0@5 skipped",
          ],
        );
        assert.match(report.lines[1].detail, /^\$: Expected a JSON object/);
      },
    );
  });
});

Deno.test("[dlq] replay publishes what passes today's rules; replayed twice, counted once", async (t) => {
  await withRig(async ({ bus, letters, ingestor }) => {
    const withId = { ...seedPin(), event_id: "client-id-1", unique_id: "a" };
    const withoutId = { ...seedPin(), unique_id: "b" };
    await letters("2026-11-26T11:00:00.000Z", [
      letter("stream:pins/1@9", "refused by the store", JSON.stringify(withId)),
      letter("edge:/pins", "invalid", JSON.stringify(withoutId), 2),
      letter("edge:/pins", "invalid", JSON.stringify({ ...seedPin(), downloaded: "yes" }), 3),
    ]);
    const store = createSqlRealtimeStore(
      await createPgliteClient("memory://"),
      "embedded",
      "memory",
    );
    await store.migrate();
    const metrics = createStreamMetrics(createProcessRegistry());
    const job = await startStreamJob({
      bus,
      store,
      metrics,
      logger: silent,
      topic: "pins",
      dlqTopic: "pins.dlq",
    });
    const replay = async (dryRun = false) => {
      const publisher = ingestor();
      try {
        return await replayDeadLetters({ bus, ingestor: publisher }, {
          dlqTopic: "pins.dlq",
          filter: {},
          limit: 0,
          dryRun,
        });
      } finally {
        await publisher.close();
      }
    };
    const counted = async () =>
      (await store.summary({ since: new Date(0), until: new Date(NOW + 86_400_000) })).events;
    const applied = async (records: number) => {
      const deadline = Date.now() + 20_000;
      while (
        [...(await store.offsets("realtime", "pins")).values()].reduce((a, b) => a + b, 0) < records
      ) {
        if (Date.now() > deadline) assert.fail(`Timed out waiting for ${records} records applied`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await t.step("a dry run publishes nothing", async () => {
        const report = await replay(true);
        assert.deepEqual(report.counts, {
          "replayed": 0,
          "would replay": 2,
          "still failing": 1,
          "skipped": 0,
        });
        assert.deepEqual((await bus.offsets("pins")).map((p) => p.end), [0, 0, 0]);
      });
      let first: Awaited<ReturnType<typeof replay>>;
      await t.step(
        "the first replay publishes two events, its own id kept, the other derived",
        async () => {
          first = await replay();
          assert.deepEqual(first.lines.map((line) => line.outcome), [
            "replayed",
            "replayed",
            "still failing",
          ]);
          assert.equal(first.lines[0]!.event_id, "client-id-1");
          assert.match(
            first.lines[1]!.event_id!,
            /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
          );
          assert.equal(first.lines[2]!.detail, 'downloaded: Expected an integer, got "yes"');
          const published = (await readTopic(bus, "pins", 2)).map((record) =>
            JSON.parse(record.value)
          );
          assert.deepEqual(
            published.map((pin) => pin.event_id).sort(),
            [first.lines[0]!.event_id, first.lines[1]!.event_id].sort(),
          );
          assert.ok(published.every((pin) => pin.received_at === new Date(NOW).toISOString()));
          await applied(2);
          assert.equal(await counted(), 2);
        },
      );
      await t.step(
        "the second replay publishes the same ids, and the stream job counts none again",
        async () => {
          const second = await replay();
          assert.deepEqual(second.lines, first.lines);
          await applied(4);
          assert.equal(await counted(), 2);
        },
      );
    } finally {
      await job.stop();
      await store.close();
    }
  });
});

Deno.test("[dlq] the command line: help, usage errors exit 2 in one line, a held embedded bus is named", async (t) => {
  await withRig(async ({ dir }) => {
    await t.step("--help: the task lists the commands, each command its flags", async () => {
      const task = await dlq(null, ["--help"]);
      assert.equal(task.code, 0);
      assert.match(task.out, /^Usage: deno task dlq \[options\] "COMMAND"\n/);
      assert.match(task.out, /\n {2}list {8}.*\n[\s\S]*\n {2}show ID {5}.*\n {2}replay {6}/);
      const replay = await dlq(null, ["replay", "--help"]);
      assert.equal(replay.code, 0);
      for (
        const part of ["Usage: deno task dlq replay", "--dry-run", "--since TIME", "DLQ_TOPIC"]
      ) {
        assert.ok(replay.out.includes(part), part);
      }
    });
    await t.step("usage errors", async () => {
      const cases: Array<[string[], RegExp]> = [
        [[], /^dlq: Missing the COMMAND argument/],
        [["purge"], /^dlq: Unknown command 'purge': expected list, show or replay$/],
        [["list", "--colour"], /^dlq list: Unknown flag '--colour': deno task dlq list --help/],
        [["list", "--dry-run"], /^dlq list: Unknown flag '--dry-run'/],
        [["show"], /^dlq show: Missing the ID argument/],
        [["show", "0-41"], /^dlq show: Invalid ID: expected <partition>@<offset> .*'0-41'$/],
        [["list", "--since", "yesterday"], /^dlq list: Invalid --since: expected an ISO-8601 time/],
        [["list", "--limit", "-1"], /^dlq list: Invalid --limit: expected an integer >= 0/],
        [
          ["replay", "--format", "xml"],
          /^dlq replay: Invalid --format: expected one of table, json/,
        ],
        [["list", "extra"], /^dlq list: Unexpected argument 'extra'/],
      ];
      for (const [args, message] of cases) {
        const { code, out, err } = await dlq(null, args);
        assert.deepEqual([code, out], [2, ""], args.join(" "));
        assert.match(err, message);
        assert.equal(err.split("\n").length, 1);
      }
    });
    await t.step(
      "the embedded bus held by another opener: one line naming the directory",
      async () => {
        const { code, err } = await dlq(null, ["list"], { PIPELINE_DATA_DIR: dir });
        assert.equal(code, 1);
        assert.equal(err.split("\n").length, 1);
        assert.match(
          err,
          new RegExp(
            `^dlq list: The embedded bus at ${dir}/bus \\(PIPELINE_DATA_DIR=${dir}\\) is in use by another process`,
          ),
        );
      },
    );
  });
});
