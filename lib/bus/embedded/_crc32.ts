/**
 * CRC-32 (IEEE 802.3, the zlib/gzip one), slicing-by-8: about as fast as
 * `node:zlib`'s on record-sized buffers, with no Node types involved (the
 * `@types/node` that npm packages pull in may predate `zlib.crc32`).
 *
 * @module
 */

const TABLE = new Int32Array(256 * 8);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}
for (let n = 0; n < 256; n++) {
  let c = TABLE[n]!;
  for (let slice = 1; slice < 8; slice++) {
    c = TABLE[c & 0xff]! ^ (c >>> 8);
    TABLE[slice * 256 + n] = c;
  }
}

/**
 * Computes the CRC-32 of some bytes.
 *
 * @param bytes The data.
 * @returns The checksum as an unsigned 32-bit integer.
 * @example
 * ```ts
 * crc32(new TextEncoder().encode("123456789")); // 0xcbf43926
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  const t = TABLE;
  let c = -1;
  let i = 0;
  for (const last = bytes.length - 8; i <= last; i += 8) {
    const a = c ^
      (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^ t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^
      t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
