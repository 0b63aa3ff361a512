/**
 * The records of one partition waiting to be archived, grouped by the hour
 * they belong to, as a pure in-memory structure (no I/O, no clock).
 *
 * @module
 */

import { archiveKey, type HourBucket, type LogZonePrefix } from "./archive_key.ts";
import { createNdjsonBytes, type NdjsonBytes } from "./_ndjson_bytes.ts";

/** The records of a buffer that fall in one hour: one object in the archive. */
export interface HourGroup {
  bucket: HourBucket;
  /** Record values as on the topic, in offset order, as UTF-8 NDJSON. */
  ndjson: NdjsonBytes;
  /** Records of the group. */
  records: number;
  firstOffset: number;
  lastOffset: number;
  /** UTF-16 code units of the values plus one newline each (bytes, for ASCII). */
  chars: number;
}

/** A sealed buffer: a fixed offset range, ready to be written as one object per hour. */
export interface SealedBuffer {
  partition: number;
  firstOffset: number;
  lastOffset: number;
  records: number;
  chars: number;
  /** In order of each hour's first offset. */
  groups: HourGroup[];
}

/** A growing buffer of one partition. */
export interface PartitionBuffer {
  readonly partition: number;
  /** Records held. */
  records(): number;
  /** Size of the values held, see {@linkcode HourGroup.chars}. */
  chars(): number;
  /** When the first record held was appended (the caller's clock), or null when empty. */
  startedAt(): number | null;
  /**
   * Appends a record; offsets must increase.
   *
   * @throws {RangeError} When `offset` is not above the last one appended.
   */
  append(offset: number, value: string, bucket: HourBucket, now: number): void;
  /** Hands over what is held and starts empty again; null when empty. */
  seal(): SealedBuffer | null;
}

/**
 * Creates an empty buffer for a partition.
 *
 * @param partition The partition.
 * @returns The buffer.
 */
export function createPartitionBuffer(partition: number): PartitionBuffer {
  let groups = new Map<HourBucket, HourGroup>();
  let records = 0;
  let chars = 0;
  let firstOffset = -1;
  let lastOffset = -1;
  let startedAt: number | null = null;

  return {
    partition,
    records: () => records,
    chars: () => chars,
    startedAt: () => startedAt,
    append(offset, value, bucket, now) {
      if (records > 0 && offset <= lastOffset) {
        throw new RangeError(
          `Cannot buffer offset ${offset} of partition ${partition}: offset ${lastOffset} is already buffered`,
        );
      }
      let group = groups.get(bucket);
      if (!group) {
        group = {
          bucket,
          ndjson: createNdjsonBytes(),
          records: 0,
          firstOffset: offset,
          lastOffset: offset,
          chars: 0,
        };
        groups.set(bucket, group);
      }
      group.ndjson.append(value);
      group.records++;
      group.lastOffset = offset;
      group.chars += value.length + 1;
      if (records === 0) {
        firstOffset = offset;
        startedAt = now;
      }
      records++;
      chars += value.length + 1;
      lastOffset = offset;
    },
    seal() {
      if (records === 0) return null;
      const sealed: SealedBuffer = {
        partition,
        firstOffset,
        lastOffset,
        records,
        chars,
        groups: [...groups.values()],
      };
      groups = new Map();
      records = 0;
      chars = 0;
      firstOffset = -1;
      lastOffset = -1;
      startedAt = null;
      return sealed;
    },
  };
}

/**
 * The keys a sealed buffer is written under, one per hour.
 *
 * @param sealed The buffer.
 * @param prefix The zone the keys are in (see `archive_key.ts`).
 * @returns The keys, in the order of `sealed.groups`.
 */
export function sealedKeys(sealed: SealedBuffer, prefix: LogZonePrefix): string[] {
  return sealed.groups.map((group) =>
    archiveKey(group.bucket, sealed.partition, group.firstOffset, group.lastOffset, prefix)
  );
}
