/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`), which both bus
 * adapters partition keys by, so a key lands in the same partition whether
 * the bus is Kafka or embedded.
 *
 * @module
 */

const encoder = new TextEncoder();
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Hashes bytes with murmur2 as Kafka's `Utils.murmur2` does.
 *
 * @param key The key, a string hashed as its UTF-8 bytes.
 * @returns The hash as a signed 32-bit integer.
 */
export function murmur2(key: string | Uint8Array): number {
  const data = typeof key === "string" ? encoder.encode(key) : key;
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    // falls through
    case 2:
      h ^= data[whole + 1]! << 8;
    // falls through
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}
