/**
 * Retries the stream job's writes (a batch to the store, letters to the
 * dead-letter topic) through an outage, for as long as it lasts: the
 * records must not be skipped, and the consumer must not crash. The pause
 * grows from 100 ms to 5 s, with jitter; aborting the signal ends the
 * waiting (the job is stopping).
 *
 * @module
 */

import { type BackoffOptions, retry } from "../runtime/async.ts";

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

/** The stream's backoff: doubling from 100 ms up to 5 s, less up to a fifth at random. */
export const STREAM_BACKOFF: BackoffOptions = { minDelayMs: 100, maxDelayMs: 5000, jitter: 0.2 };

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
  const { signal, retriable, onFailure, random } = options;
  let last: { error: unknown } | undefined;
  try {
    return await retry(() =>
      work().catch((error) => {
        last = { error };
        throw error;
      }), {
      ...STREAM_BACKOFF,
      attempts: Infinity,
      retriable,
      signal,
      random,
      onRetry: (error, { attempt, delayMs }) =>
        onFailure?.(error, { attempt, retryInMs: Math.round(delayMs) }),
    });
  } catch (error) {
    throw signal.aborted && last ? last.error : error;
  }
}
