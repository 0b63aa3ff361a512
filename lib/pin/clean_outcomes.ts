/**
 * What the cleaning made null, and why: the one definition of the reasons,
 * used by the stream job (counted per record here, as TypeScript) and by the
 * batch (counted per day in SQL generated from {@linkcode NULL_OUTCOMES}).
 *
 * A null's reason depends only on the raw text of its field:
 * - `sentinel`: one of the seed's error strings (`SENTINELS`), after trimming;
 * - `blank`: empty or white space only (for `save_location`, nothing after its prefix);
 * - `unparseable`: a `follower_count` that is not a count such as "523", "12k", "1.5M",
 *   or one past `Number.MAX_SAFE_INTEGER`;
 * - `empty_list`: a `tag_list` of commas and white space only.
 *
 * @module
 */

import { CLEAN_COLUMNS } from "./clean_columns.ts";
import { type CleanPin, cleanPin, SENTINELS } from "./clean_pin.ts";
import type { ReceivedPin } from "./pin_event.ts";

/** Every reason the cleaning makes a value null for. */
export const NULL_REASONS = ["sentinel", "blank", "unparseable", "empty_list"] as const;

/** Why the cleaning made a value null. */
export type NullReason = (typeof NULL_REASONS)[number];

/**
 * A cleaned column that may be null. Each comes from the raw string field of
 * the same name.
 */
export type NullableField = Extract<(typeof CLEAN_COLUMNS)[number], { nullable: true }>["name"];

/** The nullable cleaned columns, in `CLEAN_COLUMNS` order. */
export const NULLABLE_FIELDS: readonly NullableField[] = CLEAN_COLUMNS
  .filter((column) => column.nullable)
  .map((column) => column.name as NullableField);

// The reason of a null that is neither a sentinel nor a blank, for the fields parsed further.
const PARSE_REASONS: Partial<Record<NullableField, NullReason>> = {
  follower_count: "unparseable",
  tag_list: "empty_list",
};

/** One field and one reason it can be made null for. */
export interface NullOutcome {
  readonly field: NullableField;
  readonly reason: NullReason;
}

/**
 * Every (field, reason) pair the cleaning can produce: `sentinel` for the
 * fields with sentinels, `blank` for all, and the field's own parse reason.
 */
export const NULL_OUTCOMES: readonly NullOutcome[] = NULLABLE_FIELDS.flatMap((field) => {
  const reasons: NullReason[] = SENTINELS[field] ? ["sentinel", "blank"] : ["blank"];
  const parse = PARSE_REASONS[field];
  if (parse) reasons.push(parse);
  return reasons.map((reason) => ({ field, reason }));
});

/**
 * The reason a field's value that is neither a sentinel nor blank becomes
 * null: `unparseable` for `follower_count`, `empty_list` for `tag_list`,
 * `blank` for the others (`save_location` with nothing after its prefix).
 *
 * @param field The nullable field.
 * @returns The reason.
 */
export function parseReason(field: NullableField): NullReason {
  return PARSE_REASONS[field] ?? "blank";
}

/**
 * Why the cleaning made a field's value null. Call it only for a value the
 * cleaning did make null.
 *
 * @param field The nullable field.
 * @param raw The field's raw text.
 * @returns The reason.
 * @example
 * ```ts
 * nullReason("follower_count", " User Info Error "); // "sentinel"
 * nullReason("follower_count", "lots"); // "unparseable"
 * ```
 */
export function nullReason(field: NullableField, raw: string): NullReason {
  const text = raw.trim();
  if (text === "") return "blank";
  if (SENTINELS[field]?.includes(text)) return "sentinel";
  return parseReason(field);
}

/** Values made null, by field then reason; only counts above zero are present. */
export type NulledCounts = { [F in NullableField]?: { [R in NullReason]?: number } };

/**
 * Adds to one (field, reason) count.
 *
 * @param counts The counts, changed in place.
 * @param field The field.
 * @param reason The reason.
 * @param n How many; a count of 0 adds nothing.
 */
export function addNull(
  counts: NulledCounts,
  field: NullableField,
  reason: NullReason,
  n = 1,
): void {
  if (n === 0) return;
  const reasons = counts[field] ??= {};
  reasons[reason] = (reasons[reason] ?? 0) + n;
}

/**
 * Applies every cleaning rule to one received pin, as `cleanPin` does, and
 * counts each value it made null in `nulled`. Only the nulled fields cost
 * more than a comparison.
 *
 * @param pin A validated pin with its `event_id` and `received_at`.
 * @param nulled The counts to add to, changed in place.
 * @returns The cleaned pin.
 * @example
 * ```ts
 * const nulled: NulledCounts = {};
 * const clean = cleanPinWithOutcomes({ ...pin, follower_count: "lots" }, nulled);
 * // clean.follower_count === null, nulled.follower_count?.unparseable === 1
 * ```
 */
export function cleanPinWithOutcomes(pin: ReceivedPin, nulled: NulledCounts): CleanPin {
  const clean = cleanPin(pin);
  // One named read per field of NULLABLE_FIELDS, not a loop over it: the loop's keyed reads
  // cost about 0.4 µs a record, the named ones next to nothing. The unit test checks that
  // these are exactly NULLABLE_FIELDS.
  if (clean.title === null) _count(nulled, "title", pin.title);
  if (clean.description === null) _count(nulled, "description", pin.description);
  if (clean.poster_name === null) _count(nulled, "poster_name", pin.poster_name);
  if (clean.follower_count === null) _count(nulled, "follower_count", pin.follower_count);
  if (clean.tag_list === null) _count(nulled, "tag_list", pin.tag_list);
  if (clean.is_image_or_video === null) {
    _count(nulled, "is_image_or_video", pin.is_image_or_video);
  }
  if (clean.image_src === null) _count(nulled, "image_src", pin.image_src);
  if (clean.save_location === null) _count(nulled, "save_location", pin.save_location);
  if (clean.category === null) _count(nulled, "category", pin.category);
  return clean;
}

function _count(nulled: NulledCounts, field: NullableField, raw: string): void {
  addNull(nulled, field, nullReason(field, raw));
}
