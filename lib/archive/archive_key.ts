/**
 * The archive's key layout, in one place: the names of the raw zone's, the
 * dead-letter zone's and the curated zone's objects, how to read a key back,
 * and the hour each record belongs to. The archiver, the batch and the query
 * tool all import it.
 *
 * - raw zone: `pins/dt=YYYY-MM-DD/hour=HH/<partition>-<firstOffset>-<lastOffset>.ndjson.gz`,
 *   offsets zero-padded to 20 digits so that keys sort by offset within a
 *   partition and hour. The key is derived from the offsets only, so writing
 *   the same records again (a replay after a crash) replaces the same object.
 * - dead-letter zone: `dlq/dt=YYYY-MM-DD/hour=HH/<partition>-<firstOffset>-<lastOffset>.ndjson.gz`,
 *   the dead-letter topic archived in the same layout (offsets of that topic).
 * - curated zone: `curated/dt=YYYY-MM-DD/part-<n>.parquet`.
 *
 * A key that does not parse is not part of the archive: readers skip it.
 *
 * @module
 */

/** Prefix of the raw zone. */
export const RAW_PREFIX = "pins/";

/** Prefix of the dead-letter zone: the dead-letter topic, archived as the raw zone is. */
export const DLQ_PREFIX = "dlq/";

/** The zones holding a topic's records as gzip NDJSON objects named by offsets. */
export type LogZonePrefix = typeof RAW_PREFIX | typeof DLQ_PREFIX;

/** Prefix of the curated zone. */
export const CURATED_PREFIX = "curated/";

// How a raw object's name ends: gzip-compressed NDJSON.
const RAW_SUFFIX = ".ndjson.gz";

/** Digits of a padded offset: enough for any 64-bit offset. */
export const OFFSET_DIGITS = 20;

/** An hour of the raw zone: `dt=YYYY-MM-DD/hour=HH`, in UTC. */
export type HourBucket = string;

/** What a raw-zone key says. */
export interface ArchiveKeyParts {
  /** `YYYY-MM-DD`. */
  dt: string;
  /** `00`–`23`. */
  hour: string;
  /** The hour as {@linkcode archiveKey} takes it: `dt=YYYY-MM-DD/hour=HH`. */
  bucket: HourBucket;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

const DAY = "(\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01]))";
const OFFSET = `(\\d{${OFFSET_DIGITS}})`;
function _logKeyPattern(prefix: LogZonePrefix): RegExp {
  return new RegExp(
    `^${prefix}dt=${DAY}/hour=([01]\\d|2[0-3])/(0|[1-9]\\d*)-${OFFSET}-${OFFSET}${
      RAW_SUFFIX.replaceAll(".", "\\.")
    }$`,
  );
}
const LOG_KEYS: Record<LogZonePrefix, RegExp> = {
  [RAW_PREFIX]: _logKeyPattern(RAW_PREFIX),
  [DLQ_PREFIX]: _logKeyPattern(DLQ_PREFIX),
};
const CURATED_KEY = new RegExp(`^${CURATED_PREFIX}dt=${DAY}/part-(0|[1-9]\\d*)\\.parquet$`);

// `,"received_at":"2026-11-26T10:15:00.000Z"}`: how the edge ends every record.
const STAMP_KEY = ',"received_at":"';
const STAMP_LENGTH = 24;
const STAMP_TAIL = STAMP_KEY.length + STAMP_LENGTH + 2;
const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function _bucket(day: string, hour: string): HourBucket {
  return `dt=${day}/hour=${hour}`;
}

function _pad(offset: number): string {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`Cannot name an archive object with offset ${offset}: expected >= 0`);
  }
  return String(offset).padStart(OFFSET_DIGITS, "0");
}

/**
 * The prefix of a day's raw objects.
 *
 * @param day `YYYY-MM-DD`.
 * @returns `pins/dt=YYYY-MM-DD/`.
 */
export function rawDayPrefix(day: string): string {
  return `${RAW_PREFIX}dt=${day}/`;
}

/**
 * The key of the object holding a partition's records `firstOffset..lastOffset` of an hour.
 *
 * @param bucket The hour, from {@linkcode hourBucket}.
 * @param partition The partition.
 * @param firstOffset The first record's offset.
 * @param lastOffset The last record's offset.
 * @param prefix The zone: {@linkcode RAW_PREFIX} (default) or {@linkcode DLQ_PREFIX}.
 * @returns The key.
 * @throws {RangeError} When an offset is negative or the range is reversed.
 * @example
 * ```ts
 * archiveKey("dt=2026-01-02/hour=03", 4, 10, 19);
 * // "pins/dt=2026-01-02/hour=03/4-00000000000000000010-00000000000000000019.ndjson.gz"
 * ```
 */
export function archiveKey(
  bucket: HourBucket,
  partition: number,
  firstOffset: number,
  lastOffset: number,
  prefix: LogZonePrefix = RAW_PREFIX,
): string {
  if (lastOffset < firstOffset) {
    throw new RangeError(
      `Cannot name an archive object from offset ${firstOffset} to ${lastOffset}: the range is reversed`,
    );
  }
  return `${prefix}${bucket}/${partition}-${_pad(firstOffset)}-${_pad(lastOffset)}${RAW_SUFFIX}`;
}

/**
 * Reads a raw-zone (or dead-letter zone) key back: only a key
 * {@linkcode archiveKey} can write parses, so a parsed key is also a safe
 * relative path (no `..`, no `//`).
 *
 * @param key A key.
 * @param prefix The zone: {@linkcode RAW_PREFIX} (default) or {@linkcode DLQ_PREFIX}.
 * @returns Its parts, or null when it is not an object key of that zone.
 */
export function parseArchiveKey(
  key: string,
  prefix: LogZonePrefix = RAW_PREFIX,
): ArchiveKeyParts | null {
  const match = LOG_KEYS[prefix].exec(key);
  if (!match) return null;
  const [partition, firstOffset, lastOffset] = match.slice(3, 6).map(Number) as number[];
  if (
    !Number.isSafeInteger(partition) || !Number.isSafeInteger(lastOffset) ||
    firstOffset! > lastOffset!
  ) return null;
  return {
    dt: match[1]!,
    hour: match[2]!,
    bucket: _bucket(match[1]!, match[2]!),
    partition: partition!,
    firstOffset: firstOffset!,
    lastOffset: lastOffset!,
  };
}

/**
 * The prefix of a day's curated objects.
 *
 * @param day `YYYY-MM-DD`.
 * @returns `curated/dt=YYYY-MM-DD/`.
 */
export function curatedDayPrefix(day: string): string {
  return `${CURATED_PREFIX}dt=${day}/`;
}

/**
 * The key of a day's curated Parquet (the batch writes one per day).
 *
 * @param day `YYYY-MM-DD`.
 * @returns `curated/dt=YYYY-MM-DD/part-0.parquet`.
 */
export function curatedKey(day: string): string {
  return `${curatedDayPrefix(day)}part-0.parquet`;
}

/**
 * Reads a curated-zone key back.
 *
 * @param key A key.
 * @returns Its day, or null when it is not a curated object key.
 */
export function parseCuratedKey(key: string): { dt: string } | null {
  const match = CURATED_KEY.exec(key);
  return match ? { dt: match[1]! } : null;
}

/**
 * The UTC hour of an instant.
 *
 * @param epochMs Milliseconds since the epoch.
 * @returns `dt=YYYY-MM-DD/hour=HH`.
 */
export function hourOfInstant(epochMs: number): HourBucket {
  const iso = new Date(epochMs).toISOString();
  return _bucket(iso.slice(0, 10), iso.slice(11, 13));
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO-8601 date-time with a zone, as epoch milliseconds; NaN unless every
 * field is in range (`Date.parse` alone rolls 2026-02-30 over to March).
 */
function _parseInstant(stamp: string): number {
  const match = ISO_INSTANT.exec(stamp);
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (
    month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 ||
    second! > 59
  ) return NaN;
  return Date.parse(stamp);
}

// The hour of the last stamp seen: records of a partition mostly share it.
let _lastHour = "";
let _lastBucket: HourBucket = "";

/** The bucket of a `YYYY-MM-DDTHH:MM:SS.mmmZ` stamp, or null when it is not a real instant. */
function _stampHour(stamp: string): HourBucket | null {
  if (!ISO_MILLIS.test(stamp)) return null;
  const hour = stamp.slice(0, 13);
  if (hour === _lastHour) {
    const minute = Number(stamp.slice(14, 16));
    const second = Number(stamp.slice(17, 19));
    return minute > 59 || second > 59 ? null : _lastBucket;
  }
  if (Number.isNaN(_parseInstant(stamp))) return null;
  _lastHour = hour;
  _lastBucket = _bucket(stamp.slice(0, 10), stamp.slice(11, 13));
  return _lastBucket;
}

function _receivedAt(value: string): number | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
  const stamp = (parsed as Record<string, unknown>).received_at;
  if (typeof stamp !== "string") return null;
  const ms = _parseInstant(stamp);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The hour a record is archived under: its `received_at` (UTC), or, when the
 * value is not a JSON object with a valid ISO-8601 `received_at` (with a
 * zone), the bus timestamp. Records as the edge writes them (`received_at` last, from
 * `toISOString()`) are read without parsing the JSON.
 *
 * @param value The record's value, as on the topic.
 * @param busTimestamp When the bus stored the record, in epoch milliseconds.
 * @returns `dt=YYYY-MM-DD/hour=HH`.
 */
export function hourBucket(value: string, busTimestamp: number): HourBucket {
  const end = value.length;
  if (
    end > STAMP_TAIL && value.charCodeAt(0) === 123 /* { */ &&
    value.charCodeAt(end - 1) === 125 /* } */ && value.charCodeAt(end - 2) === 34 /* " */ &&
    value.startsWith(STAMP_KEY, end - STAMP_TAIL)
  ) {
    const stamp = value.slice(end - 2 - STAMP_LENGTH, end - 2);
    const bucket = _stampHour(stamp);
    if (bucket !== null) return bucket;
  }
  return hourOfInstant(_receivedAt(value) ?? busTimestamp);
}
