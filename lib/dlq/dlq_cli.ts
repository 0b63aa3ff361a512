/**
 * `deno task dlq COMMAND`: picks the command's spec, lets the shared task
 * CLI parse it (help, usage errors as one line and exit 2, failures as one
 * line and exit 1), opens the configured bus and runs `list`, `show` or
 * `replay`.
 *
 * @module
 */

import type { Bus } from "../bus/bus.ts";
import { EmbeddedBusLockedError, openBus, pipelineTopics } from "../bus/mod.ts";
import { createIngestor } from "../ingest/ingest.ts";
import { createUuidV7 } from "../ingest/uuid_v7.ts";
import { type MainIo, processIo, runMain, UsageError } from "../runtime/cli.ts";
import { type Config, loadConfig } from "../runtime/config.ts";
import { createLogger, type Logger } from "../runtime/logger.ts";
import { DLQ_TASK, filterOf, LIST_TASK, REPLAY_TASK, SHOW_TASK } from "./dlq_commands.ts";
import { parseDlqId } from "./dlq_entry.ts";
import {
  formatListTable,
  formatReplayTable,
  formatShow,
  listRowJson,
  replaySummary,
  showJson,
} from "./dlq_format.ts";
import { listDeadLetters, showDeadLetter } from "./dlq_list.ts";
import { replayDeadLetters } from "./dlq_replay.ts";

/** What the task runs on besides its input and output; the process's own by default. */
export interface DlqDeps {
  /** The clock, for times ago. */
  now?: () => number;
  /** Opens the configured bus (default `openBus`); the task closes it when done. */
  openBus?(config: Config, logger: Logger): Promise<Bus>;
}

async function _open(config: Config, deps: DlqDeps): Promise<Bus> {
  const logger = createLogger({ ...config.log, level: "warn" });
  try {
    return await (deps.openBus ?? ((c, l) => openBus(c.bus, c.dataDir, l)))(config, logger);
  } catch (error) {
    if (!(error instanceof EmbeddedBusLockedError)) throw error;
    throw new Error(
      `The embedded bus at ${error.dir} (PIPELINE_DATA_DIR=${config.dataDir}) is in use by another process, such as deno task dev: the embedded log belongs to one process; stop it, or run the pipeline on Kafka (KAFKA_BROKERS) to use deno task dlq alongside it`,
      { cause: error },
    );
  }
}

/** Opens the bus from the environment, runs `work` on it, closes it. */
async function _withBus(
  io: MainIo,
  deps: DlqDeps,
  work: (bus: Bus, config: Config) => Promise<void>,
): Promise<number> {
  const config = loadConfig(io.env);
  const bus = await _open(config, deps);
  try {
    await bus.ensureTopics(pipelineTopics(config.bus));
    await work(bus, config);
    return 0;
  } finally {
    await bus.close();
  }
}

/**
 * Runs `deno task dlq` and exits with its code.
 *
 * @param io The arguments (the command first), environment, output streams and exit.
 * @param deps The clock and the bus opener.
 * @example
 * ```ts
 * await runDlq(); // jobs/dlq.ts: the process's arguments
 * ```
 */
export async function runDlq(io: MainIo = processIo(), deps: DlqDeps = {}): Promise<void> {
  const [command, ...rest] = io.args;
  const now = deps.now ?? Date.now;
  const commandIo = { ...io, args: rest };
  if (command === "list") {
    return await runMain(LIST_TASK, ({ flags }) =>
      _withBus(io, deps, async (bus, config) => {
        const topic = config.bus.dlqTopic;
        const listing = await listDeadLetters(bus, topic, filterOf(flags, now()), flags.limit);
        if (flags.format === "json") {
          return io.stdout(JSON.stringify(listing.rows.map(listRowJson)));
        }
        io.stdout(formatListTable(listing));
        const newest = listing.rows.length < listing.matched
          ? " (the newest; --limit 0 for all)"
          : "";
        io.stderr(
          `${listing.rows.length} shown of ${listing.matched} matching, ${listing.scanned} on ${topic}${newest}`,
        );
      }), commandIo);
  }
  if (command === "show") {
    return await runMain(SHOW_TASK, ({ flags, argument }) => {
      const position = parseDlqId(argument);
      if (!position) {
        throw new UsageError(
          `Invalid ID: expected <partition>@<offset> such as 0@41, current value is '${argument}'`,
        );
      }
      return _withBus(io, deps, async (bus, config) => {
        const entry = await showDeadLetter(bus, config.bus.dlqTopic, position);
        io.stdout(flags.format === "json" ? JSON.stringify(showJson(entry)) : formatShow(entry));
      });
    }, commandIo);
  }
  if (command === "replay") {
    return await runMain(REPLAY_TASK, ({ flags }) =>
      _withBus(io, deps, async (bus, config) => {
        const ingestor = createIngestor({
          bus,
          pinsTopic: config.bus.pinsTopic,
          dlqTopic: config.bus.dlqTopic,
          timeoutMs: config.ingest.produceTimeoutMs,
          newId: createUuidV7(),
        });
        try {
          const report = await replayDeadLetters({ bus, ingestor }, {
            dlqTopic: config.bus.dlqTopic,
            filter: filterOf(flags, now()),
            limit: flags.limit,
            dryRun: flags["dry-run"],
          });
          if (flags.format === "json") return io.stdout(JSON.stringify(report));
          io.stdout(formatReplayTable(report));
          io.stderr(replaySummary(report));
        } finally {
          await ingestor.close();
        }
      }), commandIo);
  }
  await runMain(DLQ_TASK, ({ argument }) => {
    throw new UsageError(`Unknown command '${argument}': expected list, show or replay`);
  }, io);
}
