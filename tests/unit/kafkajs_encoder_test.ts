import assert from "node:assert/strict";
import Decoder from "kafkajs/src/protocol/decoder.js";
import Encoder from "kafkajs/src/protocol/encoder.js";
import "../../lib/bus/kafka/_kafkajs_encoder.ts";

interface Codec {
  buffer: unknown;
  writeVarLong(value: number): void;
  writeVarInt(value: number): void;
  writeBytes(value: string): void;
  readVarLong(): { toNumber(): number };
  readVarInt(): number;
  readBytes(): Uint8Array;
}
type CodecClass = new (buffer?: unknown) => Codec;

Deno.test("[kafkajs_encoder] varints and varlongs written in place decode with kafkajs's own decoder", () => {
  const values = [
    0,
    1,
    -1,
    63,
    64,
    -64,
    -65,
    127,
    128,
    300,
    -300,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 40,
    -(2 ** 40),
    1_732_600_000_000,
    2 ** 53 - 1,
  ];
  for (const value of values) {
    const encoder = new (Encoder as unknown as CodecClass)();
    encoder.writeVarLong(value);
    encoder.writeVarInt(value | 0);
    encoder.writeBytes("x".repeat(3000));
    const decoder = new (Decoder as unknown as CodecClass)(encoder.buffer);
    assert.equal(
      decoder.readVarLong().toNumber(),
      value,
      `varlong ${value}`,
    );
    assert.equal(decoder.readVarInt(), value | 0, `varint ${value}`);
    assert.equal(decoder.readBytes().length, 3000);
  }
});
