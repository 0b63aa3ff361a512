/**
 * The real-time port: where the stream job applies micro-batches (with the
 * consumer offsets, in one transaction) and where the edge reads the views.
 * One SQL implementation (`sql_store.ts`) runs on PostgreSQL and on PGlite.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";

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

/** Totals over a window and the events of each minute in it. */
export interface SummaryView {
  events: number;
  images: number;
  videos: number;
  minutes: Array<{ minute: string; events: number; images: number; videos: number }>;
}

/** A time window: minutes starting at or after `since` and before `until`. */
export interface Window {
  since: Date;
  until: Date;
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
  /** Forgets event ids seen before `before`; returns how many. */
  pruneSeen(before: Date): Promise<number>;
  topProfiles(window: Window, limit: number): Promise<ProfileRow[]>;
  categories(window: Window): Promise<CategoryRow[]>;
  summary(window: Window): Promise<SummaryView>;
  /** Whether the database answers. */
  health(): Promise<{ ok: boolean; detail: string }>;
  close(): Promise<void>;
}
