/**
 * Small async helpers shared by the edge and the jobs, after Deno std's
 * `async/`: a cancellable {@linkcode delay}, a {@linkcode deadline} on a
 * promise, and {@linkcode retry} with exponential backoff and jitter.
 *
 * @module
 */

/** Options of {@linkcode delay}. */
export interface DelayOptions {
  /** Aborting clears the timer and rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @param ms The pause.
 * @param options The signal that cuts the pause short.
 * @returns A promise that resolves after the pause.
 * @throws The signal's reason when it aborts before the pause is over.
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

function _timedOut(ms: number): () => never {
  return () => {
    throw new DOMException(`Timed out after ${ms} ms`, "TimeoutError");
  };
}

/**
 * Settles as `promise` does, unless `ms` milliseconds pass first: then as
 * `onTimeout()` does (its value, or what it throws). The timer is cleared
 * either way; `promise` itself is not cancelled.
 *
 * @param promise The work to bound.
 * @param ms The bound.
 * @param onTimeout What the result is when the bound passes first; by default a
 * `DOMException` named `TimeoutError` is thrown.
 * @returns The work's result, or the timeout's.
 * @throws What `promise` rejects with, or what `onTimeout` throws.
 * @example
 * ```ts
 * await deadline(producer.send(batch), 5000, () => {
 *   throw new Error("The broker did not answer within 5000 ms");
 * });
 * const late = await deadline(drained.then(() => false), 20_000, () => true);
 * ```
 */
export async function deadline<T, U = never>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => U | Promise<U> = _timedOut(ms),
): Promise<T | U> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  }).then(onTimeout);
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The shape of a backoff schedule: see {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** The first delay (default 1000 ms). */
  minDelayMs?: number;
  /** No delay is longer (default 60 s). */
  maxDelayMs?: number;
  /** Each delay is the previous one times this (default 2). */
  multiplier?: number;
  /** The fraction of each delay taken off at random, 0 (none) to 1 (default 0). */
  jitter?: number;
}

/**
 * The pause after the `failures`-th consecutive failure (0 for the first):
 * `min(minDelayMs × multiplier^failures, maxDelayMs)`, less up to `jitter` of
 * it at random.
 *
 * @param failures Failures before this one.
 * @param options The schedule.
 * @param random A number in [0, 1) (default `Math.random`).
 * @returns The pause in milliseconds.
 */
export function backoffDelay(
  failures: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const { minDelayMs = 1000, maxDelayMs = 60_000, multiplier = 2, jitter = 0 } = options;
  const exponential = Math.min(minDelayMs * multiplier ** failures, maxDelayMs);
  return jitter === 0 ? exponential : exponential - jitter * random() * exponential;
}

/** Options of {@linkcode retry}. */
export interface RetryOptions extends BackoffOptions {
  /** Tries in all, the first included (default 5); `Infinity` tries until success or abort. */
  attempts?: number;
  /** Whether an error is worth another try (default: every error is). */
  retriable?: (error: unknown) => boolean;
  /** Told of each failure that will be retried, before the pause. */
  onRetry?: (error: unknown, info: { attempt: number; delayMs: number }) => void;
  /** Aborting stops before the next try, or cuts the pause short. */
  signal?: AbortSignal;
  /** A number in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

/**
 * Calls `fn` until it succeeds, pausing between tries on an exponential
 * backoff schedule ({@linkcode backoffDelay}).
 *
 * @param fn The work; called again after each retriable failure.
 * @param options Attempts, schedule, what is retriable, a signal.
 * @returns What `fn` returned.
 * @throws The last error once the attempts are spent or an error is not
 * retriable; the signal's reason once it aborts; a `RangeError` for an
 * attempt count below 1 or a jitter outside [0, 1].
 * @example
 * ```ts
 * const rows = await retry(() => client.query(sql), {
 *   attempts: 5,
 *   minDelayMs: 200,
 *   onRetry: (error, { attempt }) => logger.warn("Query failed; retrying", { attempt, error }),
 * });
 * ```
 */
export async function retry<T>(
  fn: () => T | Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    attempts = 5,
    jitter = 0,
    retriable = () => true,
    onRetry,
    signal,
    random = Math.random,
  } = options;
  if (!(attempts >= 1)) {
    throw new RangeError(`Cannot retry: attempts must be at least 1, current value is ${attempts}`);
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(`Cannot retry: jitter must be within [0, 1], current value is ${jitter}`);
  }
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      signal?.throwIfAborted();
      if (attempt >= attempts || !retriable(error)) throw error;
      const delayMs = backoffDelay(attempt - 1, options, random);
      onRetry?.(error, { attempt, delayMs });
      await delay(delayMs, { signal });
    }
  }
}
