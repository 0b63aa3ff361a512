/**
 * The benchmarks' common result: one row per measured setup or ceiling, the
 * table `deno task bench` prints, the ratios to the ceilings measured in the
 * same run, the targets, and the comparison of two saved runs.
 *
 * @module
 */

import { formatTable } from "../../lib/runtime/table.ts";

/** One measured setup, or a ceiling measured beside it. */
export interface BenchRow {
  /** Which benchmark: `ingest`, `stream` or `archive`. */
  bench: string;
  /** What ran, e.g. `edge → Kafka, acks=all: POST /pin/`; unique within a run. */
  setup: string;
  eventsPerSecond: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  /** Peak resident memory of the measured process (VmHWM), MiB. */
  peakRssMiB?: number;
  /** Requests or events that failed. */
  errors?: number;
  /** The `setup` of the rows this one is divided by, in the ratio columns. */
  ceilings?: string[];
  notes?: string;
}

/** A saved run of `deno task bench`. */
export interface BenchRun {
  startedAt: string;
  /** The arguments the run was started with. */
  options: Record<string, unknown>;
  /** The machine: cores and load average at the start. */
  host: { cpus: number; loadavg: number[] };
  rows: BenchRow[];
}

/** A target of the benchmark: a ratio or rate of one row, or a bound on it. */
export interface BenchTarget {
  name: string;
  /** The measured value, or NaN when the row is missing. */
  value: number;
  met: boolean;
  wanted: string;
}

const _cell = (value: number | undefined, digits = 1): number | string =>
  value === undefined || Number.isNaN(value) ? "-" : Number(value.toFixed(digits));

/**
 * The ratio of a row to one of its ceilings in the same run.
 *
 * @returns NaN when the ceiling is not in the run.
 */
export function ratioTo(rows: readonly BenchRow[], row: BenchRow, ceiling: string): number {
  const base = rows.find((other) => other.setup === ceiling);
  return base ? row.eventsPerSecond / base.eventsPerSecond : NaN;
}

/**
 * The run as a table: events/s, p50/p95/p99, peak RSS and the ratio to each ceiling.
 *
 * @returns The table's text.
 */
export function formatRun(rows: readonly BenchRow[]): string {
  return formatTable(
    ["bench", "setup", "events/s", "p50 ms", "p95 ms", "p99 ms", "peak RSS MiB", "errors", "ratio"],
    rows.map((row) => [
      row.bench,
      row.setup,
      Math.round(row.eventsPerSecond),
      _cell(row.p50Ms),
      _cell(row.p95Ms),
      _cell(row.p99Ms),
      _cell(row.peakRssMiB, 0),
      row.errors ?? "-",
      (row.ceilings ?? []).map((c) => `${ratioTo(rows, row, c).toFixed(2)} of ${c}`).join("; ") ||
      row.notes || "",
    ]),
  );
}

/** Finds a row by the start of its setup; undefined when absent. */
function _row(rows: readonly BenchRow[], bench: string, setup: string): BenchRow | undefined {
  return rows.find((row) => row.bench === bench && row.setup.startsWith(setup));
}

function _target(
  name: string,
  value: number | undefined,
  wanted: string,
  met: (v: number) => boolean,
): BenchTarget {
  const v = value ?? NaN;
  return { name, value: v, wanted, met: !Number.isNaN(v) && met(v) };
}

/** Setups the targets read, by the start of their names. */
export const SETUPS = {
  bare: "bare Hono app: POST /pin/",
  offPin: "edge, producing disabled: POST /pin/",
  offPins: "edge, producing disabled: POST /pins",
  kafkaPin: "edge → Kafka, acks=all: POST /pin/",
  kafkaPins: "edge → Kafka, acks=all: POST /pins",
  producerPerf: "Kafka ProducerPerformance",
  rawPatched: "raw kafkajs sendBatch, adapter's produce path",
  rawPlain: "raw kafkajs sendBatch, plain",
  backlog: "stream job, backlog with dedupe",
  consumerPerf: "Kafka ConsumerPerformance",
  live: "stream job, live through the edge",
  archive: "archiver → S3",
} as const;

/**
 * The targets the pipeline is held to, read from a run.
 *
 * @returns One entry per target; `value` NaN when its rows were not run.
 */
export function evaluateTargets(rows: readonly BenchRow[]): BenchTarget[] {
  const eps = (bench: string, setup: string) => _row(rows, bench, setup)?.eventsPerSecond;
  const div = (a?: number, b?: number) => a === undefined || b === undefined ? undefined : a / b;
  const bare = eps("ingest", SETUPS.bare);
  const peak = (bench: string, setup: string) => _row(rows, bench, setup)?.peakRssMiB;
  const edgeRss = Math.max(
    peak("ingest", SETUPS.kafkaPin) ?? NaN,
    peak("ingest", SETUPS.kafkaPins) ?? NaN,
  );
  return [
    _target(
      "edge producing disabled ÷ bare Hono (/pin/)",
      div(eps("ingest", SETUPS.offPin), bare),
      "≥ 0.8",
      (v) => v >= 0.8,
    ),
    _target(
      "POST /pin/ on Kafka ÷ bare Hono",
      div(eps("ingest", SETUPS.kafkaPin), bare),
      "≥ 0.45",
      (v) => v >= 0.45,
    ),
    _target(
      "POST /pin/ on Kafka p99 ms",
      _row(rows, "ingest", SETUPS.kafkaPin)?.p99Ms,
      "≤ 30",
      (v) => v <= 30,
    ),
    _target(
      "POST /pins on Kafka events/s",
      eps("ingest", SETUPS.kafkaPins),
      "≥ 150000",
      (v) => v >= 150_000,
    ),
    _target(
      "POST /pins on Kafka ÷ producing disabled",
      div(eps("ingest", SETUPS.kafkaPins), eps("ingest", SETUPS.offPins)),
      "≥ 0.5",
      (v) => v >= 0.5,
    ),
    _target(
      "stream backlog ÷ ConsumerPerformance",
      div(eps("stream", SETUPS.backlog), eps("stream", SETUPS.consumerPerf)),
      "≥ 0.8",
      (v) => v >= 0.8,
    ),
    _target(
      "stream freshness p95 ms (live)",
      _row(rows, "stream", SETUPS.live)?.p95Ms,
      "≤ 1000",
      (v) => v <= 1000,
    ),
    _target("archiver events/s", eps("archive", SETUPS.archive), "≥ 150000", (v) => v >= 150_000),
    _target("edge peak RSS MiB (on Kafka)", edgeRss, "≤ 200", (v) => v <= 200),
    _target(
      "stream peak RSS MiB",
      Math.max(peak("stream", SETUPS.backlog) ?? NaN, peak("stream", SETUPS.live) ?? NaN),
      "≤ 300",
      (v) => v <= 300,
    ),
    _target("archiver peak RSS MiB", peak("archive", SETUPS.archive), "≤ 300", (v) => v <= 300),
  ];
}

/** The targets as a table. */
export function formatTargets(targets: readonly BenchTarget[]): string {
  return formatTable(
    ["target", "measured", "wanted", "met"],
    targets.map((t) => [
      t.name,
      _cell(t.value, 2),
      t.wanted,
      Number.isNaN(t.value) ? "not run" : t.met ? "yes" : "NO",
    ]),
  );
}

/**
 * Two saved runs side by side: events/s, p99 and peak RSS of every setup in
 * either, with B ÷ A.
 *
 * @returns The table's text.
 */
export function formatComparison(a: BenchRun, b: BenchRun): string {
  const setups = [
    ...new Set([...a.rows, ...b.rows].map((row) => `${row.bench}\u0000${row.setup}`)),
  ];
  const find = (run: BenchRun, key: string) =>
    run.rows.find((row) => `${row.bench}\u0000${row.setup}` === key);
  return formatTable(
    [
      "bench",
      "setup",
      "A events/s",
      "B events/s",
      "B ÷ A",
      "A p99 ms",
      "B p99 ms",
      "A RSS",
      "B RSS",
    ],
    setups.map((key) => {
      const [bench, setup] = key.split("\u0000") as [string, string];
      const x = find(a, key);
      const y = find(b, key);
      return [
        bench,
        setup,
        x ? Math.round(x.eventsPerSecond) : "-",
        y ? Math.round(y.eventsPerSecond) : "-",
        x && y ? (y.eventsPerSecond / x.eventsPerSecond).toFixed(2) : "-",
        _cell(x?.p99Ms),
        _cell(y?.p99Ms),
        _cell(x?.peakRssMiB, 0),
        _cell(y?.peakRssMiB, 0),
      ];
    }),
  );
}
