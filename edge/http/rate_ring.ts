/**
 * An in-memory ring of per-second event counts: the edge adds what it
 * accepts, the dashboard reads the last N complete seconds.
 *
 * The ring lives in one process, so each edge instance reports its own
 * ingest rate; behind a load balancer, the pipeline's rate is the sum over
 * instances (Prometheus: `sum(rate(pipeline_ingest_events_accepted_total[1m]))`).
 *
 * @module
 */

/** Options of {@linkcode createRateRing}. */
export interface RateRingOptions {
  /** How many seconds the ring remembers (default 900: 15 minutes). */
  seconds?: number;
  /** The clock, in epoch milliseconds. */
  now?: () => number;
}

/** The last complete seconds of a ring, oldest first. */
export interface RateSeries {
  /** Epoch milliseconds at which the last counted second ends (a whole second). */
  until: number;
  /** Events per second, oldest first; `counts.length` is the ring's size. */
  counts: number[];
}

/** A ring of per-second counts. */
export interface RateRing {
  /** Adds `count` events (default 1) to the current second. */
  add(count?: number): void;
  /** The ring's complete seconds, ending before the current second. */
  series(): RateSeries;
}

/**
 * Creates a ring of per-second counts. Memory is fixed (two arrays of
 * `seconds` entries); seconds nobody wrote to read as 0.
 *
 * @param options Size and clock.
 * @returns The ring.
 * @throws {RangeError} When `seconds` is not a positive integer.
 * @example
 * ```ts
 * const ring = createRateRing({ seconds: 60 });
 * ring.add(25);
 * const { counts } = ring.series(); // 60 numbers, the last one is the previous second
 * ```
 */
export function createRateRing(options: RateRingOptions = {}): RateRing {
  const { seconds = 900, now = Date.now } = options;
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new RangeError(
      `Cannot size a rate ring: seconds must be a positive integer, not ${seconds}`,
    );
  }
  const counts = new Float64Array(seconds);
  // The epoch second each slot currently holds; -1 for never written.
  const stamps = new Float64Array(seconds).fill(-1);

  return {
    add(count = 1) {
      if (!(count > 0)) return;
      const second = Math.floor(now() / 1000);
      const slot = second % seconds;
      if (stamps[slot] !== second) {
        stamps[slot] = second;
        counts[slot] = 0;
      }
      counts[slot]! += count;
    },
    series() {
      const last = Math.floor(now() / 1000) - 1;
      const out = new Array<number>(seconds);
      for (let i = 0; i < seconds; i++) {
        const second = last - seconds + 1 + i;
        const slot = ((second % seconds) + seconds) % seconds;
        out[i] = stamps[slot] === second ? counts[slot]! : 0;
      }
      return { until: (last + 1) * 1000, counts: out };
    },
  };
}
