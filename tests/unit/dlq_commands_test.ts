import assert from "node:assert/strict";
import { parseTaskArgs } from "../../lib/runtime/cli_args.ts";
import { filterOf, LIST_TASK, parseTimeFlag, REPLAY_TASK } from "../../lib/dlq/dlq_commands.ts";
import { parseDlqId } from "../../lib/dlq/dlq_entry.ts";
import { replayEventId } from "../../lib/dlq/replay_id.ts";

const NOW = Date.parse("2026-11-26T12:00:00.000Z");

Deno.test("[dlq_commands] time flags: ISO-8601 or a time ago", async (t) => {
  await t.step("a time ago", () => {
    assert.equal(parseTimeFlag("since", "90s", NOW), NOW - 90_000);
    assert.equal(parseTimeFlag("since", "15m", NOW), NOW - 900_000);
    assert.equal(parseTimeFlag("since", "1h", NOW), NOW - 3_600_000);
    assert.equal(parseTimeFlag("since", "7d", NOW), NOW - 7 * 86_400_000);
    assert.equal(parseTimeFlag("since", "2w", NOW), NOW - 14 * 86_400_000);
  });
  await t.step("ISO: a day is its UTC midnight; a time needs its zone", () => {
    assert.equal(parseTimeFlag("until", "2026-11-26", NOW), Date.parse("2026-11-26T00:00:00Z"));
    assert.equal(
      parseTimeFlag("until", "2026-11-26T10:00:00+02:00", NOW),
      Date.parse("2026-11-26T08:00:00Z"),
    );
  });
  await t.step("anything else names the flag and the value", () => {
    for (const text of ["yesterday", "1y", "-1h", "2026-11-26T10:00:00", "2026-13-01", ""]) {
      assert.throws(
        () => parseTimeFlag("since", text, NOW),
        new RegExp(`^Error: Invalid --since: .* current value is '${text}'$`),
      );
    }
  });
});

Deno.test("[dlq_commands] flags and defaults of list and replay", () => {
  const list = parseTaskArgs(LIST_TASK, ["--source", "edge:", "--since", "1h"]);
  assert.notEqual(list, "help");
  if (list === "help") return;
  assert.deepEqual([list.flags.limit, list.flags.format], [100, "table"]);
  assert.deepEqual(filterOf(list.flags, NOW), {
    reason: undefined,
    source: "edge:",
    sinceMs: NOW - 3_600_000,
    untilMs: undefined,
  });
  const replay = parseTaskArgs(REPLAY_TASK, ["--dry-run", "--reason", "not JSON"]);
  if (replay === "help") return assert.fail("help");
  assert.deepEqual([replay.flags.limit, replay.flags["dry-run"]], [0, true]);
  assert.equal(filterOf(replay.flags, NOW).reason, "not JSON");
});

Deno.test("[dlq_entry] ids are <partition>@<offset>", () => {
  assert.deepEqual(parseDlqId("0@0"), { partition: 0, offset: 0 });
  assert.deepEqual(parseDlqId("2@41"), { partition: 2, offset: 41 });
  for (const text of ["0", "@1", "0@", "01@1", "0@-1", "0@1.5", " 0@1", "0@99999999999999999"]) {
    assert.equal(parseDlqId(text), null, text);
  }
});

Deno.test("[replay_id] a UUIDv8 from the record's position and time, the same every time", async () => {
  const record = {
    topic: "pins.dlq",
    partition: 0,
    offset: 41,
    receivedAt: "2026-11-26T10:15:00.000Z",
  };
  const id = await replayEventId(record);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(await replayEventId({ ...record }), id);
  const others = await Promise.all([
    replayEventId({ ...record, offset: 42 }),
    replayEventId({ ...record, partition: 1 }),
    replayEventId({ ...record, topic: "other.dlq" }),
    replayEventId({ ...record, receivedAt: "2026-11-27T10:15:00.000Z" }),
  ]);
  assert.equal(new Set([id, ...others]).size, 5);
});
