/**
 * The real-time port: where the stream job applies micro-batches (with the
 * consumer offsets, in one transaction) and where the edge reads the views.
 * One SQL implementation (`sql_store.ts`) runs on PostgreSQL and on PGlite.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";
import type { Grain } from "./grain.ts";

export type { Grain } from "./grain.ts";

/** A cleaned pin and its position in the topic. */
export interface PositionedPin {
  offset: number;
  pin: CleanPin;
}

/** One partition's micro-batch. */
export interface StreamBatch {
  group: string;
  topic: string;
  partition: number;
  /** Valid pins of the batch (poison records are left out but still covered by `nextOffset`). */
  pins: PositionedPin[];
  /** The offset after the batch's last record. */
  nextOffset: number;
}

/** What applying a batch did. */
export interface ApplyResult {
  /** Pins counted. */
  applied: number;
  /** Pins dropped because their event_id was already counted. */
  duplicates: number;
  /** Pins skipped because their offsets were already applied (a replay). */
  replayed: number;
}

/** One row of the profile popularity view. */
export interface ProfileRow {
  poster_name: string;
  events: number;
  follower_count: number | null;
}

/** One row of the category activity view. */
export interface CategoryRow {
  category: string;
  events: number;
  images: number;
  videos: number;
}

/**
 * Totals over a window and the events of each bucket in it: minutes, or
 * hours or days when the window is read from the roll-ups (`grain`).
 */
export interface SummaryView {
  grain: Grain;
  events: number;
  images: number;
  videos: number;
  /** One row per bucket with events, `minute` holding the bucket's start. */
  minutes: Array<{ minute: string; events: number; images: number; videos: number }>;
}

/**
 * A time window: buckets starting at or after `since` (rounded down to the
 * grain) and up to the one holding `until`. Without `grain`, the store reads
 * the finest grain the window allows (see `chooseGrain`).
 */
export interface Window {
  since: Date;
  until: Date;
  grain?: Grain;
}

/** What a retention pass did. */
export interface RetentionReport {
  /** Days whose id partitions were created ahead. */
  created: string[];
  /** Days whose ids were forgotten (their partitions dropped). */
  dropped: string[];
  /** Aggregate rows deleted past their grain's retention. */
  aggregateRows: number;
}

/**
 * Events counted per step of a window, oldest first, read from the minute
 * totals: what a chart of the pipeline's throughput draws.
 */
export interface EventSeries {
  /**
   * Start of the first step, ISO-8601: the window's first minute rounded
   * down to a multiple of the step since the Unix epoch (UTC).
   */
  start: string;
  /** Length of a step, in minutes. */
  stepMinutes: number;
  /** Events of each step, 0 for a step without any; only the window's minutes count. */
  events: number[];
}

/**
 * How long the latest counted events took from the edge (`received_at`) to
 * being counted in the store, as the store recorded it when it counted them.
 */
export interface FreshnessView {
  p50Seconds: number;
  p95Seconds: number;
  /** Events the quantiles are computed from: the latest counted, at most the number asked. */
  observations: number;
  /** When the newest of them was counted. */
  countedAt: Date;
}

/**
 * The database refused a batch for what its records contain (a data
 * exception, SQLSTATE class 22, or a program limit, class 54, such as an
 * index row too large): trying again cannot help. Nothing of the batch was
 * written. Any other error of `apply` (a lost connection, a timeout) is an
 * outage worth retrying.
 */
export class RecordsRefusedError extends Error {
  /** Never worth retrying as it is. */
  readonly retriable = false;
  /** The SQLSTATE the database answered, e.g. `22021` or `54000`. */
  readonly sqlstate: string;

  /**
   * @param sqlstate The database's SQLSTATE.
   * @param message What the database said.
   * @param options The database's error as `cause`.
   */
  constructor(sqlstate: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RecordsRefusedError";
    this.sqlstate = sqlstate;
  }
}

/** The real-time store. */
export interface RealtimeStore {
  readonly kind: "postgres" | "embedded";
  readonly address: string;
  /** Applies pending migrations. */
  migrate(): Promise<number[]>;
  /** The next offset to read per partition, as stored with the aggregates. */
  offsets(group: string, topic: string): Promise<Map<number, number>>;
  /**
   * Applies a batch and moves the partition's offset, atomically and idempotently.
   *
   * @throws {RecordsRefusedError} When the database refuses a record for what it contains.
   */
  apply(batch: StreamBatch): Promise<ApplyResult>;
  /**
   * The retention pass, run in the background: creates the id partitions of
   * the coming days, drops the days past the dedupe window, and deletes
   * aggregate rows past their grain's retention, without a lock the
   * stream's transactions wait on.
   *
   * @param now The clock's reading.
   */
  retain(now: Date): Promise<RetentionReport>;
  topProfiles(window: Window, limit: number): Promise<ProfileRow[]>;
  categories(window: Window): Promise<CategoryRow[]>;
  summary(window: Window): Promise<SummaryView>;
  /**
   * Events per step over a window, from the minute totals.
   *
   * @throws {RangeError} When `stepMinutes` is not a positive integer or the window has over 10,000 steps.
   */
  series(window: Window, stepMinutes: number): Promise<EventSeries>;
  /** Freshness over the `latest` events counted last; null when none was counted. */
  freshness(latest: number): Promise<FreshnessView | null>;
  /** Whether the database answers. */
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}
