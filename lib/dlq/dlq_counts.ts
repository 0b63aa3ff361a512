/**
 * Dead letters counted by reason, in total and over the last 24 hours, from
 * the dead-letter topic itself: what the bus holds survives a restart, where
 * a process's counters start again at zero. The first read covers the whole
 * topic; later reads only what was added since, and only when its end
 * offsets moved, at most every `refreshMs`. Memory stays bounded: per-minute
 * counts of the last 24 hours, for at most {@linkcode MAX_REASONS} reasons.
 *
 * @module
 */

import type { Bus, ConsumedRecord, OffsetRange } from "../bus/bus.ts";
import { deadline } from "../runtime/async.ts";
import { readDlqEntry } from "./dlq_entry.ts";

/** Reasons counted one by one; the rest share {@linkcode OTHER_REASONS}. */
export const MAX_REASONS = 20;
/** The reason of the records past {@linkcode MAX_REASONS} distinct ones. */
export const OTHER_REASONS = "(other reasons)";
/** The reason of a value that is not a dead-letter record. */
export const NOT_A_DEAD_LETTER = "(not a dead-letter record)";

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;

/** One reason's counts. */
export interface ReasonCount {
  reason: string;
  /** Records on the topic with this reason. */
  total: number;
  /** Of those, received in the last 24 hours. */
  last_24h: number;
}

/** The counts the dashboard shows. */
export interface DeadLetterCountsView {
  total: number;
  last_24h: number;
  /** Most recent first: by `last_24h`, then `total`, then name. */
  by_reason: ReasonCount[];
  /** False while the first read of the topic is under way: the counts are partial. */
  complete: boolean;
}

/** Counts of the dead-letter topic, kept up to date on demand. */
export interface DeadLetterCounts {
  /**
   * The counts, after catching up with the topic for at most `waitMs`.
   *
   * @throws {Error} When the topic cannot be read, with the bus's reason.
   */
  read(): Promise<DeadLetterCountsView>;
}

/** Options of {@linkcode createDeadLetterCounts}. */
export interface DeadLetterCountsOptions {
  bus: Bus;
  /** The dead-letter topic. */
  topic: string;
  /** The clock, in epoch milliseconds. */
  now?: () => number;
  /** Reads the topic's new records at most this often (default 10 s). */
  refreshMs?: number;
  /** How long `read` waits for a catch-up before answering with what it has (default 1 s). */
  waitMs?: number;
}

interface _Reason {
  total: number;
  /** Records per minute (epoch minutes) of the last 24 hours. */
  minutes: Map<number, number>;
}

/**
 * Creates the counts of a dead-letter topic; nothing is read until the first `read`.
 *
 * @param options The bus, the topic, the clock and the pacing.
 * @returns The counts.
 * @example
 * ```ts
 * const counts = createDeadLetterCounts({ bus, topic: config.bus.dlqTopic });
 * const { total, last_24h, by_reason } = await counts.read();
 * ```
 */
export function createDeadLetterCounts(options: DeadLetterCountsOptions): DeadLetterCounts {
  const { bus, topic, now = Date.now, refreshMs = 10_000, waitMs = 1000 } = options;
  const reasons = new Map<string, _Reason>();
  const next = new Map<number, number>();
  let refreshed = -Infinity;
  let complete = false;
  let running: Promise<void> | null = null;

  function count(record: ConsumedRecord, oldestMinute: number): void {
    const entry = readDlqEntry(record);
    let reason = entry.malformed === null ? entry.reason! : NOT_A_DEAD_LETTER;
    if (!reasons.has(reason) && reasons.size >= MAX_REASONS) reason = OTHER_REASONS;
    let counted = reasons.get(reason);
    if (!counted) reasons.set(reason, counted = { total: 0, minutes: new Map() });
    counted.total++;
    const minute = Math.floor(entry.receivedMs / MINUTE_MS);
    if (minute >= oldestMinute) counted.minutes.set(minute, (counted.minutes.get(minute) ?? 0) + 1);
  }

  async function refresh(): Promise<void> {
    const oldestMinute = Math.floor(now() / MINUTE_MS) - DAY_MINUTES;
    const ranges = new Map<number, OffsetRange>();
    for (const { partition, earliest, end } of await bus.offsets(topic)) {
      ranges.set(partition, { from: Math.max(next.get(partition) ?? 0, earliest), to: end });
    }
    await bus.read(topic, ranges, (records) => {
      for (const record of records) count(record, oldestMinute);
      next.set(records[0]!.partition, records.at(-1)!.offset + 1);
    });
    complete = true;
  }

  function view(): DeadLetterCountsView {
    const oldestMinute = Math.floor(now() / MINUTE_MS) - DAY_MINUTES;
    const by_reason = [...reasons].map(([reason, { total, minutes }]) => {
      let last24h = 0;
      for (const [minute, n] of minutes) {
        if (minute < oldestMinute) minutes.delete(minute);
        else last24h += n;
      }
      return { reason, total, last_24h: last24h };
    }).sort((a, b) =>
      b.last_24h - a.last_24h || b.total - a.total || (a.reason < b.reason ? -1 : 1)
    );
    return {
      total: by_reason.reduce((sum, r) => sum + r.total, 0),
      last_24h: by_reason.reduce((sum, r) => sum + r.last_24h, 0),
      by_reason,
      complete,
    };
  }

  return {
    async read() {
      if (!running && now() - refreshed >= refreshMs) {
        refreshed = now();
        const work = refresh();
        running = work.finally(() => running = null);
        running.catch(() => refreshed = -Infinity);
      }
      if (running) await deadline(running, waitMs, () => undefined);
      return view();
    },
  };
}
