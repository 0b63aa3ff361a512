/**
 * Faster varint and buffer growth for kafkajs's protocol encoder.
 *
 * kafkajs writes every varint and varlong through `Buffer.from([...bytes])`
 * (varlongs after Long arithmetic) and grows its buffers with zero-filled
 * `Buffer.alloc`; under Deno's Node compatibility layer each such Buffer
 * costs a typed-array subclass construction, and together they took over 40%
 * of the producer's CPU. These replacements write the same bytes in place
 * (zig-zag LEB128, as kafkajs does) and grow without zeroing; longs beyond
 * 2^51 still take kafkajs's own path.
 * Installed once, on import, by the Kafka adapter.
 *
 * @module
 */

import { Buffer } from "node:buffer";
// @ts-types="npm:@types/node@18"
import Encoder from "kafkajs/src/protocol/encoder.js";

interface _Encoder {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
}

const proto = (Encoder as unknown as { prototype: _Encoder & Record<string, unknown> }).prototype;

proto.ensureAvailable = function ensureAvailable(this: _Encoder, length: number): void {
  const needed = this.offset + length;
  if (needed <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(1 << (32 - Math.clz32(needed)));
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
};

proto.writeUVarInt = function writeUVarInt(this: _Encoder, input: number) {
  let value = input;
  this.ensureAvailable(5);
  while ((value & 0xffffff80) !== 0) {
    this.buf[this.offset++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  this.buf[this.offset++] = value & 0x7f;
  return this;
};

const slowWriteVarLong = proto.writeVarLong as (this: _Encoder, value: unknown) => unknown;

proto.writeVarLong = function writeVarLong(this: _Encoder, input: unknown) {
  if (typeof input !== "number" || !Number.isSafeInteger(input) || Math.abs(input) > 2 ** 51) {
    return slowWriteVarLong.call(this, input);
  }
  let value = input >= 0 ? input * 2 : -input * 2 - 1;
  this.ensureAvailable(10);
  while (value >= 0x80) {
    this.buf[this.offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  this.buf[this.offset++] = value;
  return this;
};
