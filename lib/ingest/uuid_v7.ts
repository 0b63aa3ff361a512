/**
 * UUIDv7 (RFC 9562): a 48-bit millisecond timestamp then random bits, so ids
 * sort by creation time.
 *
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Creates a UUIDv7 generator.
 *
 * @param now The clock, in epoch milliseconds.
 * @returns A function returning a new id on each call.
 */
export function createUuidV7(now: () => number = Date.now): () => string {
  const bytes = new Uint8Array(16);
  return function uuidV7(): string {
    crypto.getRandomValues(bytes);
    let ms = now();
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (bytes[6]! & 0x0f);
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    let out = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
      out += HEX[bytes[i]!];
    }
    return out;
  };
}
