/**
 * Per-minute aggregation of cleaned pins, pure: the rows a micro-batch adds
 * to the real-time tables. Minutes are event-time minutes, so a late event
 * lands in its own minute.
 *
 * @module
 */

import type { CleanPin } from "../pin/clean_pin.ts";

/** Events of one profile in one minute, with its latest known follower count. */
export interface ProfileMinute {
  minute: string;
  poster_name: string;
  events: number;
  follower_count: number | null;
  /** Event time of the event that gave `follower_count`. */
  follower_time: string | null;
}

/** Events of one category in one minute. */
export interface CategoryMinute {
  minute: string;
  category: string;
  events: number;
  images: number;
  videos: number;
}

/** All events of one minute. */
export interface TotalMinute {
  minute: string;
  events: number;
  images: number;
  videos: number;
}

/** What a batch adds. */
export interface MinuteAggregates {
  profiles: ProfileMinute[];
  categories: CategoryMinute[];
  totals: TotalMinute[];
}

/** Category used when an event's category is blank. */
export const UNKNOWN_CATEGORY = "unknown";

/**
 * The minute an instant falls in.
 *
 * @param iso A UTC ISO-8601 time as produced by cleaning.
 * @returns `YYYY-MM-DDTHH:mm:00.000Z`.
 */
export function minuteOf(iso: string): string {
  return `${iso.slice(0, 16)}:00.000Z`;
}

/**
 * Whether a follower reading (time, count) is newer than another: later
 * event time wins, and on a tie the larger count, so the result does not
 * depend on arrival order.
 */
export function isNewerReading(
  time: string,
  count: number,
  thanTime: string | null,
  thanCount: number | null,
): boolean {
  if (thanTime === null || thanCount === null) return true;
  return time > thanTime || (time === thanTime && count > thanCount);
}

/**
 * Aggregates cleaned pins by event-time minute. Pins without a poster name
 * count for categories and totals, not for profiles.
 *
 * @param pins Pins already deduplicated.
 * @returns The rows to upsert.
 */
export function aggregateMinutes(pins: readonly CleanPin[]): MinuteAggregates {
  const profiles = new Map<string, ProfileMinute>();
  const categories = new Map<string, CategoryMinute>();
  const totals = new Map<string, TotalMinute>();
  for (const pin of pins) {
    const minute = minuteOf(pin.event_time);
    const image = pin.media_type === "image" ? 1 : 0;
    const video = pin.media_type === "video" ? 1 : 0;
    const total = totals.get(minute) ?? { minute, events: 0, images: 0, videos: 0 };
    total.events += 1;
    total.images += image;
    total.videos += video;
    totals.set(minute, total);
    const category = pin.category ?? UNKNOWN_CATEGORY;
    const categoryKey = `${minute}\u0000${category}`;
    const row = categories.get(categoryKey) ??
      { minute, category, events: 0, images: 0, videos: 0 };
    row.events += 1;
    row.images += image;
    row.videos += video;
    categories.set(categoryKey, row);
    if (pin.poster_name === null) continue;
    const profileKey = `${minute}\u0000${pin.poster_name}`;
    const profile = profiles.get(profileKey) ??
      {
        minute,
        poster_name: pin.poster_name,
        events: 0,
        follower_count: null,
        follower_time: null,
      };
    profile.events += 1;
    if (
      pin.follower_count !== null &&
      isNewerReading(
        pin.event_time,
        pin.follower_count,
        profile.follower_time,
        profile.follower_count,
      )
    ) {
      profile.follower_count = pin.follower_count;
      profile.follower_time = pin.event_time;
    }
    profiles.set(profileKey, profile);
  }
  return {
    profiles: [...profiles.values()],
    categories: [...categories.values()],
    totals: [...totals.values()],
  };
}

/**
 * The start of the hour or day an aggregate's minute falls in.
 *
 * @param minute A minute as produced by {@linkcode minuteOf}.
 * @param grain The coarser grain.
 * @returns `YYYY-MM-DDTHH:00:00.000Z` or `YYYY-MM-DDT00:00:00.000Z`.
 */
export function bucketOf(minute: string, grain: "hour" | "day"): string {
  const t = minute.indexOf("T");
  return grain === "hour"
    ? `${minute.slice(0, t + 3)}:00:00.000Z`
    : `${minute.slice(0, t)}T00:00:00.000Z`;
}

function _sumInto<T extends { minute: string }>(
  rows: readonly T[],
  grain: "hour" | "day",
  key: (row: T) => string,
  merge: (into: T, row: T) => void,
): T[] {
  const out = new Map<string, T>();
  for (const row of rows) {
    const bucket = bucketOf(row.minute, grain);
    const k = `${bucket}\u0000${key(row)}`;
    const into = out.get(k);
    if (into) merge(into, row);
    else out.set(k, { ...row, minute: bucket });
  }
  return [...out.values()];
}

/**
 * Rolls a batch's minute rows up to hours or days: `minute` then holds the
 * bucket's start; counts add up and the newest follower reading wins.
 *
 * @param minutes The batch's minute rows.
 * @param grain The coarser grain.
 * @returns The rows to upsert into that grain's tables.
 */
export function rollUp(minutes: MinuteAggregates, grain: "hour" | "day"): MinuteAggregates {
  return {
    profiles: _sumInto(minutes.profiles, grain, (row) => row.poster_name, (into, row) => {
      into.events += row.events;
      if (
        row.follower_time !== null && row.follower_count !== null &&
        isNewerReading(
          row.follower_time,
          row.follower_count,
          into.follower_time,
          into.follower_count,
        )
      ) {
        into.follower_count = row.follower_count;
        into.follower_time = row.follower_time;
      }
    }),
    categories: _sumInto(minutes.categories, grain, (row) => row.category, (into, row) => {
      into.events += row.events;
      into.images += row.images;
      into.videos += row.videos;
    }),
    totals: _sumInto(minutes.totals, grain, () => "", (into, row) => {
      into.events += row.events;
      into.images += row.images;
      into.videos += row.videos;
    }),
  };
}
