/**
 * Runs one fuzz case through the real pipeline code: the edge app (no
 * socket), the bus, the stream job into the real-time store, the archiver
 * into the archive, then the batch into the history store; and reads back
 * both views.
 *
 * @module
 */

import { Registry } from "prom-client";
import { createArchiveMetrics } from "../../lib/archive/archive_metrics.ts";
import { createArchiver } from "../../lib/archive/archiver.ts";
import { type BatchSummary, runBatch } from "../../lib/batch/batch_runner.ts";
import { createLogger, type Logger } from "../../lib/runtime/logger.ts";
import { startStreamJob } from "../../lib/stream/stream_job.ts";
import { createStreamMetrics } from "../../lib/stream/stream_metrics.ts";
import { type Answer, type CaseTruth, caseTruth } from "./case_truth.ts";
import { countingBus } from "./counting_bus.ts";
import { createFuzzEdge } from "./fuzz_edge.ts";
import type { SentCase, SentRequest } from "./materialize_case.ts";
import type { CaseStores } from "./pipeline_adapters.ts";
import { type BatchViews, readBatch, readRealtime, type RealtimeViews } from "./view_reader.ts";

/** A warning or error a component logged. */
export interface LogLine {
  component: string;
  level: string;
  msg: string;
  error?: string;
}

/** Bounds of a case run. */
export interface CaseRunOptions {
  /** Longest wait for the stream and the archiver to reach the topic's end (default 30 s). */
  drainTimeoutMs?: number;
  /** A stream retrying a failed batch with no progress for this long is stalled (default 1.5 s). */
  stallMs?: number;
}

/** How far a consumer got. */
export interface DrainResult {
  caughtUp: boolean;
  /** Records it got through (the stream: offsets stored; the archiver: records held). */
  reached: number;
  /** Records on the topic. */
  end: number;
  waitedMs: number;
}

/** Everything observed in one case. */
export interface CaseRun {
  answers: Answer[][];
  truth: CaseTruth;
  produced: { pins: number; edgeDeadLetters: number; streamDeadLetters: string[] };
  stream: DrainResult;
  archive: DrainResult;
  batch: BatchSummary | { error: string };
  realtime: RealtimeViews;
  history: BatchViews;
  logs: LogLine[];
  timings: Record<"send" | "drain" | "batch" | "read", number>;
}

function _capture(logs: LogLine[], component: string): Logger {
  return createLogger({
    level: "warn",
    write(line) {
      const record = JSON.parse(line) as {
        level: string;
        msg: string;
        error?: { message?: string };
      };
      logs.push({ component, level: record.level, msg: record.msg, error: record.error?.message });
    },
  });
}

async function _send(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  request: SentRequest,
): Promise<Answer> {
  try {
    const response = await app.request(request.path, {
      method: "POST",
      headers: request.contentType === null ? {} : { "content-type": request.contentType },
      body: request.body,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Kept as text.
    }
    return { status: response.status, body };
  } catch (error) {
    return { status: 0, body: null, error: `app.request threw: ${(error as Error).message}` };
  }
}

async function _drain(
  progress: () => Promise<number>,
  end: number,
  stalled: () => boolean,
  options: Required<CaseRunOptions>,
): Promise<DrainResult> {
  const started = performance.now();
  let reached = -1;
  let movedAt = started;
  for (;;) {
    const now = performance.now();
    const at = await progress();
    if (at !== reached) {
      reached = at;
      movedAt = now;
    }
    const waitedMs = Math.round(now - started);
    if (at >= end) return { caughtUp: true, reached: at, end, waitedMs };
    if ((stalled() && now - movedAt > options.stallMs) || waitedMs > options.drainTimeoutMs) {
      return { caughtUp: false, reached: at, end, waitedMs };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs a case on fresh stores.
 *
 * @param stores The case's stores.
 * @param sent The requests.
 * @param options Bounds.
 * @returns What was observed.
 */
export async function runCase(
  stores: CaseStores,
  sent: SentCase,
  options: CaseRunOptions = {},
): Promise<CaseRun> {
  const bounds = { drainTimeoutMs: 30_000, stallMs: 1500, ...options };
  const logs: LogLine[] = [];
  const { topics, groups } = stores;
  let clock = sent.steps[0]?.at ?? Date.UTC(2026, 0, 1);
  const edgeBus = countingBus(stores.bus);
  const streamBus = countingBus(stores.bus, [topics.dlq]);
  const timings = { send: 0, drain: 0, batch: 0, read: 0 };
  let mark = performance.now();
  const lap = (step: keyof typeof timings) => {
    const now = performance.now();
    timings[step] = Math.round(now - mark);
    mark = now;
  };

  const stream = await startStreamJob({
    bus: streamBus,
    store: stores.realtime,
    metrics: createStreamMetrics(new Registry()),
    logger: _capture(logs, "stream"),
    topic: topics.pins,
    dlqTopic: topics.dlq,
    group: groups.stream,
    now: () => new Date(clock),
  });
  const archiveMetrics = createArchiveMetrics(new Registry());
  const archiver = await createArchiver(
    {
      bus: stores.bus,
      store: stores.archive,
      logger: _capture(logs, "archive"),
      metrics: archiveMetrics,
    },
    {
      topic: topics.pins,
      groupId: groups.archive,
      flushSeconds: 3600,
      flushBytes: 64 * 1024 * 1024,
      flushEvents: 1_000_000,
    },
  );
  const edge = createFuzzEdge(edgeBus, topics, () => clock, _capture(logs, "edge"));

  const answers: Answer[][] = [];
  for (const step of sent.steps) {
    clock = step.at;
    answers.push(await Promise.all(step.requests.map((request) => _send(edge.app, request))));
  }
  await edge.ingestor.close();
  lap("send");

  const end = edgeBus.produced(topics.pins);
  const streamResult = await _drain(
    async () =>
      [...(await stores.realtime.offsets(groups.stream, topics.pins)).values()].reduce(
        (a, b) => a + b,
        0,
      ),
    end,
    () =>
      logs.some((line) =>
        line.component === "stream" && line.msg.startsWith("Applying a batch failed")
      ),
    bounds,
  );
  const archiveResult = await _drain(
    async () => (await archiveMetrics.bufferedRecords.get()).values[0]?.value ?? 0,
    end,
    () => logs.some((line) => line.component === "archive"),
    bounds,
  );
  await Promise.all([stream.stop(), archiver.stop()]);
  lap("drain");

  let batch: CaseRun["batch"];
  try {
    batch = await runBatch({
      store: stores.archive,
      history: stores.history,
      logger: _capture(logs, "batch"),
      threads: 1,
    });
  } catch (error) {
    batch = { error: (error as Error).message };
  }
  lap("batch");

  const truth = caseTruth(sent, answers);
  const realtime = await readRealtime(stores.sql, stores.realtime, truth.realtimeDays.keys());
  const history = await readBatch(
    stores.archive,
    stores.history,
    stores.probe,
    truth.batchDays.keys(),
    truth.batchYears.keys(),
  );
  lap("read");
  return {
    answers,
    truth,
    produced: {
      pins: end,
      edgeDeadLetters: edgeBus.produced(topics.dlq),
      streamDeadLetters: streamBus.values(topics.dlq),
    },
    stream: streamResult,
    archive: archiveResult,
    batch,
    realtime,
    history,
    logs,
    timings,
  };
}
