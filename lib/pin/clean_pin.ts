/**
 * The cleaning rules, in one place, used by the stream job and the batch job
 * alike so that the real-time and historical views agree.
 *
 * @module
 */

import type { CleanRecord, MediaType } from "./clean_columns.ts";
import type { ReceivedPin } from "./pin_event.ts";

/**
 * A pin after cleaning: sentinels are null, numbers are numbers, tags are a
 * list, times are UTC ISO-8601. Its columns are `CLEAN_COLUMNS` (`clean_columns.ts`).
 */
export type CleanPin = CleanRecord<string>;

/** The seed's error strings, per field: each becomes null. */
export const SENTINELS: Readonly<Record<string, readonly string[]>> = {
  follower_count: ["User Info Error"],
  poster_name: ["User Info Error"],
  description: ["No description available Story format", "No description available"],
  image_src: ["Image src error."],
  tag_list: ["N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"],
  title: ["No Title Data Available"],
};

/** The prefix `save_location` loses. */
export const SAVE_PREFIX = /^\s*Local save in\b/;
/** Multipliers of the follower-count suffixes, by lower-case suffix. */
export const MULTIPLIERS: Readonly<Record<string, number>> = { "": 1, k: 1e3, m: 1e6, b: 1e9 };
/** A follower count as the seed writes it: a number and an optional suffix. */
export const FOLLOWER_COUNT = /^(\d+(?:\.\d+)?)\s*([kmb]?)$/i;
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Trims a text field and turns the seed's sentinel strings and blanks into null.
 *
 * @param field The field's name, which selects its sentinels.
 * @param value The raw value.
 * @returns The trimmed text, or null.
 */
export function cleanText(field: string, value: string): string | null {
  const text = value.trim();
  if (text === "") return null;
  return SENTINELS[field]?.includes(text) ? null : text;
}

/**
 * Parses a follower count as the seed writes it: "523", "12k", "1.5k", "1M".
 *
 * @param value The raw follower count.
 * @returns The count as an integer, or null for a sentinel or an unparseable value.
 * @example
 * ```ts
 * parseFollowerCount("1.5k"); // 1500
 * parseFollowerCount("User Info Error"); // null
 * ```
 */
export function parseFollowerCount(value: string): number | null {
  const text = cleanText("follower_count", value);
  if (text === null) return null;
  const match = FOLLOWER_COUNT.exec(text);
  if (!match) return null;
  const count = Math.round(Number(match[1]) * (MULTIPLIERS[match[2]!.toLowerCase()] ?? 1));
  return Number.isSafeInteger(count) ? count : null;
}

/**
 * Splits the seed's comma-separated tag list into tags.
 *
 * @param value The raw tag list.
 * @returns The non-empty, trimmed tags, or null for the sentinel or an empty list.
 */
export function parseTagList(value: string): string[] | null {
  const text = cleanText("tag_list", value);
  if (text === null) return null;
  const tags = text.split(",").map((tag) => tag.trim()).filter((tag) => tag !== "");
  return tags.length > 0 ? tags : null;
}

/**
 * Strips the seed's "Local save in " prefix from a save location.
 *
 * @param value The raw save location.
 * @returns The path alone, or null when blank.
 */
export function cleanSaveLocation(value: string): string | null {
  const path = value.replace(SAVE_PREFIX, "").trim();
  return path === "" ? null : path;
}

/**
 * Classifies `is_image_or_video`: "image" is an image; "video" and the seed's
 * "multi-video(story page format)" are videos; anything else is unknown.
 *
 * @param value The raw value.
 * @returns The media type.
 */
export function mediaType(value: string): MediaType {
  const text = value.trim().toLowerCase();
  if (text === "image") return "image";
  if (text.includes("video")) return "video";
  return "unknown";
}

/**
 * Normalises a timestamp to UTC ISO-8601 with milliseconds.
 *
 * @param value An ISO-8601 date-time (validated at the edge).
 * @returns The same instant as `YYYY-MM-DDTHH:mm:ss.sssZ`.
 * @throws {RangeError} When the value is not a date-time.
 */
export function toUtcIso(value: string): string {
  return CANONICAL_UTC.test(value) ? value : new Date(value).toISOString();
}

/**
 * Applies every cleaning rule to one received pin.
 *
 * @param pin A validated pin with its `event_id` and `received_at`.
 * @returns The cleaned pin; `index` becomes `index_id`.
 */
export function cleanPin(pin: ReceivedPin): CleanPin {
  return {
    event_id: pin.event_id,
    event_time: toUtcIso(pin.event_time ?? pin.received_at),
    received_at: toUtcIso(pin.received_at),
    index_id: pin.index,
    unique_id: pin.unique_id.trim(),
    title: cleanText("title", pin.title),
    description: cleanText("description", pin.description),
    poster_name: cleanText("poster_name", pin.poster_name),
    follower_count: parseFollowerCount(pin.follower_count),
    tag_list: parseTagList(pin.tag_list),
    is_image_or_video: cleanText("is_image_or_video", pin.is_image_or_video),
    media_type: mediaType(pin.is_image_or_video),
    image_src: cleanText("image_src", pin.image_src),
    downloaded: pin.downloaded,
    save_location: cleanSaveLocation(pin.save_location),
    category: cleanText("category", pin.category)?.toLowerCase() ?? null,
  };
}
