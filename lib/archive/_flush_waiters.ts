/**
 * Flushes asked for on demand (`Archiver.flushNow`): each request names, per
 * partition, the offset its records must be archived up to (the topic's end
 * when it was made) and waits until the partition's committed position
 * reaches it. While a request waits on a partition, the archiver seals that
 * partition's buffer once it holds the target's record ({@linkcode FlushWaiters.sealAt}).
 * Sealing early only makes smaller objects: keys still come from the offset
 * ranges and commits still follow the uploads.
 *
 * @module
 */

/** A partition a request still waits on. */
export interface Behind {
  partition: number;
  /** The partition's committed next offset. */
  at: number;
  /** The offset to reach. */
  target: number;
}

/** One waiting flush request. */
export interface FlushRequest {
  /** Resolves once every partition reached its target; rejects on {@linkcode FlushWaiters.failAll}. */
  done: Promise<void>;
  /** The partitions still behind. */
  behind(): Behind[];
  /** Stops waiting: the partitions are no longer sealed for it, `done` never settles. */
  cancel(): void;
}

/** The flush requests waiting on partitions. */
export interface FlushWaiters {
  /**
   * The lowest target a waiting request has on a partition: seal its buffer
   * once the next offset expected from the bus reaches it. Null when none waits.
   */
  sealAt(partition: number): number | null;
  /** A partition's committed next offset moved: resolves the requests it completes. */
  committed(partition: number, nextOffset: number): void;
  /**
   * Starts waiting until each partition's committed next offset reaches its target.
   *
   * @param targets Per partition, the offset to reach.
   * @param from Per partition, the committed next offset now.
   * @returns The request; already done when no partition is behind.
   */
  wait(targets: Map<number, number>, from: Map<number, number>): FlushRequest;
  /** Rejects every waiting request with `error`. */
  failAll(error: Error): void;
}

interface _Entry {
  behind: Map<number, { target: number; at: number }>;
  resolve(): void;
  reject(error: Error): void;
}

/**
 * Creates an empty set of waiting requests.
 *
 * @returns The waiters.
 */
export function createFlushWaiters(): FlushWaiters {
  const entries = new Set<_Entry>();

  return {
    sealAt(partition) {
      let lowest: number | null = null;
      for (const entry of entries) {
        const target = entry.behind.get(partition)?.target;
        if (target !== undefined && (lowest === null || target < lowest)) lowest = target;
      }
      return lowest;
    },
    committed(partition, nextOffset) {
      for (const entry of entries) {
        const position = entry.behind.get(partition);
        if (!position) continue;
        position.at = Math.max(position.at, nextOffset);
        if (position.at >= position.target) entry.behind.delete(partition);
        if (entry.behind.size === 0) entry.resolve();
      }
    },
    wait(targets, from) {
      const behind = new Map<number, { target: number; at: number }>();
      for (const [partition, target] of targets) {
        const at = from.get(partition) ?? 0;
        if (at < target) behind.set(partition, { target, at });
      }
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const entry: _Entry = {
        behind,
        resolve() {
          entries.delete(entry);
          resolve();
        },
        reject(error) {
          entries.delete(entry);
          reject(error);
        },
      };
      if (behind.size === 0) resolve();
      else entries.add(entry);
      return {
        done: promise,
        behind: () => [...behind].map(([partition, { at, target }]) => ({ partition, at, target })),
        cancel: () => void entries.delete(entry),
      };
    },
    failAll(error) {
      for (const entry of [...entries]) entry.reject(error);
    },
  };
}

/**
 * The error of a flush that did not complete in time.
 *
 * @param behind The partitions still behind.
 * @param timeoutMs How long it waited.
 * @param why A partition's last flush error, if any.
 * @returns E.g. `Cannot flush the archive within 30 s: partition 2 is archived up to offset 10 of 15 (S3 is down)`.
 */
export function flushTimeoutError(
  behind: Behind[],
  timeoutMs: number,
  why: (partition: number) => string | null,
): Error {
  const parts = behind.map(({ partition, at, target }) => {
    const error = why(partition);
    return `partition ${partition} is archived up to offset ${at} of ${target}` +
      (error ? ` (${error})` : "");
  });
  return new Error(`Cannot flush the archive within ${timeoutMs / 1000} s: ${parts.join("; ")}`);
}
