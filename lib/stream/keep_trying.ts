/**
 * Retries the stream job's writes (a batch to the store, letters to the
 * dead-letter topic) through an outage, for as long as it lasts: the
 * records must not be skipped, and the consumer must not crash. The pause
 * grows from 100 ms to 5 s, with jitter; aborting the signal ends the
 * waiting (the job is stopping).
 *
 * @module
 */

/** Options of {@linkcode keepTrying}. */
export interface KeepTryingOptions {
  /** Aborted when the job stops: the next pause ends and the last error is thrown. */
  signal: AbortSignal;
  /** Whether an error is worth another try (default: every error is). */
  retriable?: (error: unknown) => boolean;
  /** Told of each failure that will be retried, before the pause. */
  onFailure?: (error: unknown, info: { attempt: number; retryInMs: number }) => void;
  /** A number in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 5000;

/**
 * The pause after the `failures`-th consecutive failure (0 for the first):
 * doubling from 100 ms up to 5 s, less up to a fifth at random.
 *
 * @param failures Failures before this one.
 * @param random A number in [0, 1).
 * @returns The pause in milliseconds.
 */
export function pauseAfter(failures: number, random: () => number = Math.random): number {
  const pause = Math.min(FIRST_PAUSE_MS * 2 ** failures, LONGEST_PAUSE_MS);
  return Math.round(pause * (1 - 0.2 * random()));
}

function _pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Calls `work` until it succeeds, an error is not retriable, or the signal
 * aborts. An attempt under way is never cut short.
 *
 * @param work The write.
 * @param options The stop signal, what is retriable, a failure hook.
 * @returns What `work` returned.
 * @throws An error that is not retriable; the last error once the signal has aborted.
 */
export async function keepTrying<T>(
  work: () => Promise<T>,
  options: KeepTryingOptions,
): Promise<T> {
  const { signal, retriable = () => true, onFailure, random = Math.random } = options;
  for (let attempt = 1;; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (signal.aborted || !retriable(error)) throw error;
      const retryInMs = pauseAfter(attempt - 1, random);
      onFailure?.(error, { attempt, retryInMs });
      await _pause(retryInMs, signal);
      if (signal.aborted) throw error;
    }
  }
}
