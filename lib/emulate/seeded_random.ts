/**
 * Seeded randomness: the same seed gives the same sequence on every machine.
 *
 * @module
 */

/** A seeded source of random numbers. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One element of a non-empty list, uniformly. */
  pick<T>(items: readonly T[]): T;
  /** A UUID (version 4 layout) drawn from this sequence. */
  uuid(): string;
}

/**
 * Creates a seeded generator (sfc32, seeded through splitmix32).
 *
 * @param seed Any 32-bit integer.
 * @returns The generator.
 */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  function splitmix(): number {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  let a = splitmix(), b = splitmix(), c = splitmix(), d = splitmix();

  function next(): number {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  }
  function int(n: number): number {
    return Math.floor(next() * n);
  }
  function word(): string {
    return (next() * 4294967296 >>> 0).toString(16).padStart(8, "0");
  }
  function uuid(): string {
    const a = word(), b = word(), c = word(), d = word();
    const variant = (8 + int(4)).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)]!,
    uuid,
  };
}

/**
 * Creates a sampler of ranks 0..n-1 with Zipf-like weights 1/(rank+1)^s.
 *
 * @param random The source of randomness.
 * @param n How many ranks.
 * @param s The exponent; 1 is the classic Zipf law.
 * @returns A function drawing one rank.
 */
export function createZipf(random: Random, n: number, s = 1): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += 1 / Math.pow(rank + 1, s);
    cdf[rank] = total;
  }
  return function draw(): number {
    const target = random.next() * total;
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
