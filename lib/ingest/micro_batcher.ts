/**
 * Micro-batching across concurrent callers: items from many requests are
 * gathered and flushed together (at `maxItems`, `maxBytes`, or once a flush
 * may start, whichever first), and each caller's promise settles when every
 * flush holding its items has settled. Durability without one round trip per
 * request. While every flush slot is busy, items gather; as soon as one is
 * free, what gathered goes (after `lingerMs`, by default at once): under load
 * batches grow by themselves, and a lone request waits for no timer.
 *
 * @module
 */

/** Raised when accepting more would exceed the cap on bytes in flight. */
export class OverloadedError extends Error {
  constructor(inFlightBytes: number, maxInFlightBytes: number) {
    super(
      `Too much data waiting for the bus: ${inFlightBytes} bytes in flight, the cap is ${maxInFlightBytes}`,
    );
    this.name = "OverloadedError";
  }
}

/** Raised when items arrive after `close()` began. */
export class ClosedError extends Error {
  constructor() {
    super("The batcher is shutting down and accepts nothing more");
    this.name = "ClosedError";
  }
}

/** Options of {@linkcode createMicroBatcher}. */
export interface MicroBatcherOptions<T> {
  /** Sends one batch; resolves once it is durable. */
  flush(items: T[]): Promise<void>;
  maxItems?: number;
  maxBytes?: number;
  /** How long a batch waits for more items once a flush may start (default 0: at once). */
  lingerMs?: number;
  /** Flushes allowed in flight at once; further batches wait and keep growing. */
  concurrency?: number;
  /** Cap on bytes accepted and not yet flushed; past it, `add` throws {@link OverloadedError}. */
  maxInFlightBytes?: number;
  /** Called after each flush, for metrics. */
  onFlush?(info: { items: number; bytes: number; seconds: number; ok: boolean }): void;
}

/** A running batcher. */
export interface MicroBatcher<T> {
  /**
   * Queues items; resolves when all of them are flushed.
   *
   * @param sizes Each item's size in bytes, same order as `items`.
   * @throws {OverloadedError} When the in-flight cap would be exceeded.
   * @throws {ClosedError} After `close()`.
   */
  add(items: T[], sizes: number[]): Promise<void>;
  /** Bytes accepted and not yet flushed. */
  inFlightBytes(): number;
  /** Stops accepting, flushes what it holds, and waits for every flush. */
  close(): Promise<void>;
}

interface _Waiter {
  remaining: number;
  failed: boolean;
  resolve(): void;
  reject(error: unknown): void;
}

interface _Batch<T> {
  items: T[];
  bytes: number;
  waiters: Set<_Waiter>;
}

function _emptyBatch<T>(): _Batch<T> {
  return { items: [], bytes: 0, waiters: new Set() };
}

/**
 * Creates a micro-batcher.
 *
 * @param options The flush function and the bounds.
 * @returns The batcher.
 */
export function createMicroBatcher<T>(options: MicroBatcherOptions<T>): MicroBatcher<T> {
  const {
    flush,
    maxItems = 5000,
    maxBytes = 4 * 1024 * 1024,
    lingerMs = 0,
    concurrency = 3,
    maxInFlightBytes = 64 * 1024 * 1024,
    onFlush,
  } = options;
  let current = _emptyBatch<T>();
  const ready: _Batch<T>[] = [];
  const flushing = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cutQueued = false;
  let inFlight = 0;
  let closed = false;

  function settle(batch: _Batch<T>, error: unknown): void {
    for (const waiter of batch.waiters) {
      if (error !== undefined && !waiter.failed) {
        waiter.failed = true;
        waiter.reject(error);
      }
      waiter.remaining -= 1;
      if (waiter.remaining === 0 && !waiter.failed) waiter.resolve();
    }
  }

  function pump(): void {
    while (flushing.size < concurrency && ready.length > 0) {
      const batch = ready.shift()!;
      const started = performance.now();
      const run = flush(batch.items).then(
        () => ({ error: undefined as unknown, ok: true }),
        (error: unknown) => ({ error, ok: false }),
      ).then(({ error, ok }) => {
        inFlight -= batch.bytes;
        onFlush?.({
          items: batch.items.length,
          bytes: batch.bytes,
          seconds: (performance.now() - started) / 1000,
          ok,
        });
        settle(batch, error);
      });
      const tracked = run.finally(() => {
        flushing.delete(tracked);
        pump();
      });
      flushing.add(tracked);
    }
    if (flushing.size < concurrency && current.items.length > 0) {
      if (lingerMs > 0) {
        timer ??= setTimeout(cut, lingerMs);
      } else if (!cutQueued) {
        // After the callers of this turn have added theirs.
        cutQueued = true;
        queueMicrotask(cut);
      }
    }
  }

  function cut(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    cutQueued = false;
    if (current.items.length === 0) return;
    ready.push(current);
    current = _emptyBatch();
    pump();
  }

  function add(items: T[], sizes: number[]): Promise<void> {
    if (closed) return Promise.reject(new ClosedError());
    const total = sizes.reduce((sum, size) => sum + size, 0);
    if (inFlight + total > maxInFlightBytes) {
      return Promise.reject(new OverloadedError(inFlight, maxInFlightBytes));
    }
    if (items.length === 0) return Promise.resolve();
    inFlight += total;
    return new Promise<void>((resolve, reject) => {
      const waiter: _Waiter = { remaining: 0, failed: false, resolve, reject };
      for (let i = 0; i < items.length; i++) {
        const size = sizes[i] ?? 0;
        if (
          current.items.length >= maxItems ||
          (current.items.length > 0 && current.bytes + size > maxBytes)
        ) {
          ready.push(current);
          current = _emptyBatch();
        }
        current.items.push(items[i]!);
        current.bytes += size;
        if (!current.waiters.has(waiter)) {
          current.waiters.add(waiter);
          waiter.remaining += 1;
        }
      }
      pump();
    });
  }

  async function close(): Promise<void> {
    closed = true;
    cut();
    while (flushing.size > 0 || ready.length > 0) {
      await Promise.allSettled([...flushing]);
      pump();
    }
  }

  return { add, inFlightBytes: () => inFlight, close };
}
