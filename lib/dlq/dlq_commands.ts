/**
 * The command line of `deno task dlq`, on the shared task CLI
 * (`lib/runtime/cli.ts`): the task itself (`deno task dlq --help` lists the
 * commands) and one spec per command, with its flags, environment, examples
 * and exit codes; and the filter the flags describe.
 *
 * @module
 */

import type { FlagValues, TaskSpec } from "../runtime/cli_args.ts";
import type { DlqFilter } from "./dlq_filter.ts";

const RELATIVE = /^(\d{1,9})(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads a time flag: ISO-8601 (a day is its UTC midnight; a time carries its
 * zone) or a time ago.
 *
 * @param name The flag's name, for the message.
 * @param text The value.
 * @param now The current time, in epoch milliseconds.
 * @returns The time in epoch milliseconds.
 * @throws {Error} Naming the flag and the value, when it is neither form.
 */
export function parseTimeFlag(name: string, text: string, now: number): number {
  const relative = RELATIVE.exec(text);
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2]!]!;
  const ms = ISO_DAY.test(text)
    ? Date.parse(`${text}T00:00:00Z`)
    : ISO_TIME.test(text)
    ? Date.parse(text)
    : NaN;
  if (Number.isNaN(ms)) {
    throw new Error(
      `Invalid --${name}: expected an ISO-8601 time such as 2026-11-26T10:00:00Z or 2026-11-26, or a time ago such as 90s, 15m, 1h, 7d, current value is '${text}'`,
    );
  }
  return ms;
}

const FORMAT = {
  type: "string",
  choices: ["table", "json"],
  default: "table",
  description: "Output format",
} as const;

const FILTERS = {
  reason: {
    type: "string",
    value: "TEXT",
    description: 'Records whose reason is exactly TEXT (e.g. invalid, "not JSON")',
  },
  source: {
    type: "string",
    value: "PREFIX",
    description: "Records whose source starts with PREFIX (e.g. edge:, stream:pins/2)",
  },
  since: {
    type: "string",
    value: "TIME",
    description: "Received at or after TIME: ISO-8601 (2026-11-26, 2026-11-26T10:00:00Z) " +
      "or a time ago (90s, 15m, 1h, 7d, 2w)",
    check: (value: string, name: string) => parseTimeFlag(name, value, 0),
  },
  until: {
    type: "string",
    value: "TIME",
    description: "Received before TIME, in the same forms",
    check: (value: string, name: string) => parseTimeFlag(name, value, 0),
  },
} as const;

const EXITS = {
  ok: "Done; records that still fail to replay are reported, not an error",
  failed: "The bus cannot be reached or is held by another process, or no such record",
};

/** The task: `deno task dlq COMMAND`; its help lists the commands. */
export const DLQ_TASK: TaskSpec = {
  name: "dlq",
  summary: "Inspects and replays the dead-letter topic (DLQ_TOPIC): what the edge received but\n" +
    "could not use, and the records the stream job could not count. Commands, each with its\n" +
    "own --help:\n" +
    "  list        the newest records that pass the filters: ID (<partition>@<offset> on the\n" +
    "              dead-letter topic), received_at, source, reason, first problem, size\n" +
    "  show ID     one record whole: fields, every problem, the raw text (JSON pretty-printed)\n" +
    "  replay      re-validates each record's raw text under today's rules and publishes those\n" +
    "              that pass to the pins topic as the edge does; replaying twice counts once\n" +
    "On the embedded bus, stop deno task dev first: its log belongs to one process.",
  argument: { name: "COMMAND", description: "list, show or replay, then its options" },
  env: ["common", "bus"],
  examples: [
    "deno task dlq list --since 1h",
    "deno task dlq show 0@41",
    'deno task dlq replay --reason "not a pin event" --dry-run',
  ],
  exits: EXITS,
};

/** `deno task dlq list`. */
export const LIST_TASK = {
  name: "dlq list",
  summary: "Lists the newest dead-letter records that pass the filters, oldest first: ID\n" +
    "(<partition>@<offset> on the dead-letter topic), received_at, source, reason, the first\n" +
    "problem and the size of the raw text (', cut' when it was cut to 64 KiB).",
  flags: {
    ...FILTERS,
    limit: {
      type: "integer",
      min: 0,
      default: 100,
      description: "The newest N records that pass; 0 for all",
    },
    format: FORMAT,
  },
  env: ["common", "bus"],
  examples: [
    "deno task dlq list --since 1h",
    "deno task dlq list --reason invalid --source edge: --limit 20 --format json",
  ],
  exits: EXITS,
} as const satisfies TaskSpec;

/** `deno task dlq show ID`. */
export const SHOW_TASK = {
  name: "dlq show",
  summary: "Prints one dead-letter record whole: its fields, every problem, and the raw text\n" +
    "(pretty-printed when it is JSON). Control characters are shown escaped.",
  argument: {
    name: "ID",
    description: "<partition>@<offset> on the dead-letter topic, as list shows",
  },
  flags: { format: FORMAT },
  env: ["common", "bus"],
  examples: ["deno task dlq show 0@41", "deno task dlq show 0@41 --format json"],
  exits: EXITS,
} as const satisfies TaskSpec;

/** `deno task dlq replay`. */
export const REPLAY_TASK = {
  name: "dlq replay",
  summary: "Re-validates the raw text of each dead-letter record that passes the filters under\n" +
    "today's rules and publishes those that pass to the pins topic as the edge does (stamped,\n" +
    "acknowledged within PRODUCE_TIMEOUT_MS), with their own event_id, else one derived from\n" +
    "the record's position: the stream job counts each event_id once, so a replay is safe to\n" +
    "run twice. Reports each record as replayed, still failing (with the first problem) or\n" +
    "skipped (the raw text was cut, or the value is not a dead-letter record).",
  flags: {
    ...FILTERS,
    limit: {
      type: "integer",
      min: 0,
      default: 0,
      description: "The newest N records that pass, as list shows them; 0 for all",
    },
    "dry-run": { type: "boolean", description: "Report what would be replayed; publish nothing" },
    format: FORMAT,
  },
  env: ["common", "bus"],
  examples: [
    'deno task dlq replay --reason "not a pin event" --dry-run',
    "deno task dlq replay --since 2026-11-26 --until 2026-11-27",
  ],
  exits: EXITS,
} as const satisfies TaskSpec;

/**
 * The filter the flags of `list` or `replay` describe.
 *
 * @param flags The parsed flags.
 * @param now The current time, for times ago.
 * @returns The filter.
 */
export function filterOf(
  flags: FlagValues<typeof LIST_TASK.flags> | FlagValues<typeof REPLAY_TASK.flags>,
  now: number,
): DlqFilter {
  const time = (name: "since" | "until") => {
    const text = flags[name];
    return text === undefined ? undefined : parseTimeFlag(name, text, now);
  };
  return {
    reason: flags.reason,
    source: flags.source,
    sinceMs: time("since"),
    untilMs: time("until"),
  };
}
