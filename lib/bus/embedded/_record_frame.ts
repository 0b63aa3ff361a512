/**
 * The on-disk frame of one record in an embedded-bus log. Big-endian:
 *
 * ```
 * 0   u32  body length (bytes after this 8-byte header)
 * 4   u32  CRC-32 of the body
 * 8   i64  offset              ┐
 * 16  i64  timestamp (epoch ms) │ body
 * 24  i32  key length, -1=null  │
 * 28  key bytes, value bytes    ┘ (UTF-8; the value runs to the end of the body)
 * ```
 *
 * A torn write shows as a frame running past the end of the file, a length
 * out of bounds, a CRC mismatch or an offset out of sequence.
 *
 * @module
 */

import { crc32 } from "./_crc32.ts";
import type { BusRecord, ConsumedRecord } from "../bus.ts";

/** Bytes before the body: length and CRC. */
export const FRAME_HEADER_BYTES = 8;
/** Bytes of the body before the key: offset, timestamp, key length. */
const BODY_FIXED_BYTES = 20;
/** The largest frame accepted, so a garbage length cannot ask for gigabytes. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The frames of one produce call for one partition, offsets not yet assigned. */
export interface EncodedFrames {
  bytes: Uint8Array;
  /** Where each frame starts in `bytes`. */
  starts: number[];
  /** The timestamp every frame carries, in epoch milliseconds. */
  timestamp: number;
}

/** What {@linkcode inspectFrame} finds at a position. */
export type FrameCheck =
  | { status: "ok"; size: number; offset: number; timestamp: number }
  | { status: "partial"; needed: number }
  | { status: "corrupt"; reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes records as frames with the offset left at 0 and no CRC yet; see
 * {@linkcode stampFrames}.
 *
 * @param records The records, in order.
 * @param timestamp When they were produced, in epoch milliseconds.
 * @returns The frames in one buffer.
 * @throws {RangeError} When a record exceeds {@linkcode MAX_FRAME_BYTES}.
 */
export function encodeFrames(records: readonly BusRecord[], timestamp: number): EncodedFrames {
  const keys: (Uint8Array | null)[] = [];
  const values: Uint8Array[] = [];
  let total = 0;
  for (const record of records) {
    const key = record.key === null ? null : encoder.encode(record.key);
    const value = encoder.encode(record.value);
    const size = FRAME_HEADER_BYTES + BODY_FIXED_BYTES + (key?.length ?? 0) + value.length;
    if (size > MAX_FRAME_BYTES) {
      throw new RangeError(
        `Cannot produce a record of ${size} bytes: the embedded bus accepts at most ${MAX_FRAME_BYTES}`,
      );
    }
    keys.push(key);
    values.push(value);
    total += size;
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const starts: number[] = [];
  const stamp = BigInt(timestamp);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    const key = keys[i]!;
    const value = values[i]!;
    const keyLength = key?.length ?? 0;
    starts.push(position);
    view.setUint32(position, BODY_FIXED_BYTES + keyLength + value.length);
    view.setBigInt64(position + 16, stamp);
    view.setInt32(position + 24, key === null ? -1 : keyLength);
    if (key !== null) bytes.set(key, position + 28);
    bytes.set(value, position + 28 + keyLength);
    position += FRAME_HEADER_BYTES + BODY_FIXED_BYTES + keyLength + value.length;
  }
  return { bytes, starts, timestamp };
}

/**
 * Writes consecutive offsets from `baseOffset` into the frames and seals
 * each with its CRC.
 *
 * @param frames Frames from {@linkcode encodeFrames}.
 * @param baseOffset The first frame's offset.
 */
export function stampFrames(frames: EncodedFrames, baseOffset: number): void {
  const { bytes, starts } = frames;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = start + FRAME_HEADER_BYTES + view.getUint32(start);
    view.setBigInt64(start + 8, BigInt(baseOffset + i));
    view.setUint32(start + 4, crc32(bytes.subarray(start + FRAME_HEADER_BYTES, end)));
  }
}

/**
 * Checks the frame at `position`, looking no further than `end`.
 *
 * @param bytes A buffer of log bytes.
 * @param view A view over the same buffer.
 * @param position Where the frame starts.
 * @param end Where the bytes at hand end.
 * @returns Its size, offset and timestamp; or how many bytes it needs; or why it is corrupt.
 */
export function inspectFrame(
  bytes: Uint8Array,
  view: DataView,
  position: number,
  end: number,
): FrameCheck {
  if (end - position < FRAME_HEADER_BYTES) return { status: "partial", needed: FRAME_HEADER_BYTES };
  const bodyLength = view.getUint32(position);
  const size = FRAME_HEADER_BYTES + bodyLength;
  if (bodyLength < BODY_FIXED_BYTES || size > MAX_FRAME_BYTES) {
    return { status: "corrupt", reason: `frame length ${bodyLength} is out of bounds` };
  }
  if (end - position < size) return { status: "partial", needed: size };
  const body = bytes.subarray(position + FRAME_HEADER_BYTES, position + size);
  if (crc32(body) !== view.getUint32(position + 4)) {
    return { status: "corrupt", reason: "CRC mismatch" };
  }
  const keyLength = view.getInt32(position + 24);
  if (keyLength < -1 || keyLength > bodyLength - BODY_FIXED_BYTES) {
    return { status: "corrupt", reason: `key length ${keyLength} is out of bounds` };
  }
  return {
    status: "ok",
    size,
    offset: Number(view.getBigInt64(position + 8)),
    timestamp: Number(view.getBigInt64(position + 16)),
  };
}

/**
 * Decodes a frame that {@linkcode inspectFrame} found whole.
 *
 * @param bytes A buffer of log bytes.
 * @param view A view over the same buffer.
 * @param position Where the frame starts.
 * @param size Its size.
 * @param partition The partition it belongs to.
 * @returns The record.
 */
export function decodeFrame(
  bytes: Uint8Array,
  view: DataView,
  position: number,
  size: number,
  partition: number,
): ConsumedRecord {
  const keyLength = view.getInt32(position + 24);
  const keyStart = position + 28;
  const valueStart = keyStart + Math.max(keyLength, 0);
  return {
    partition,
    offset: Number(view.getBigInt64(position + 8)),
    key: keyLength < 0 ? null : decoder.decode(bytes.subarray(keyStart, valueStart)),
    value: decoder.decode(bytes.subarray(valueStart, position + size)),
    timestamp: Number(view.getBigInt64(position + 16)),
  };
}
