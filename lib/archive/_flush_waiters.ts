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
   * Waits until each partition's committed next offset reaches its target.
   *
   * @param targets Per partition, the offset to reach.
   * @param from Per partition, the committed next offset now.
   * @param timeoutMs How long to wait.
   * @param why A partition's last flush error, for the timeout's message.
   * @throws {Error} On timeout, naming each partition behind, or when {@linkcode failAll} is called.
   */
  wait(
    targets: Map<number, number>,
    from: Map<number, number>,
    timeoutMs: number,
    why: (partition: number) => string | null,
  ): Promise<void>;
  /** Rejects every waiting request with `error`. */
  failAll(error: Error): void;
}

interface _Request {
  /** Partitions still behind: target and committed position. */
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
  const requests = new Set<_Request>();

  return {
    sealAt(partition) {
      let lowest: number | null = null;
      for (const request of requests) {
        const target = request.behind.get(partition)?.target;
        if (target !== undefined && (lowest === null || target < lowest)) lowest = target;
      }
      return lowest;
    },
    committed(partition, nextOffset) {
      for (const request of requests) {
        const entry = request.behind.get(partition);
        if (!entry) continue;
        entry.at = Math.max(entry.at, nextOffset);
        if (entry.at >= entry.target) request.behind.delete(partition);
        if (request.behind.size === 0) request.resolve();
      }
    },
    wait(targets, from, timeoutMs, why) {
      const behind = new Map<number, { target: number; at: number }>();
      for (const [partition, target] of targets) {
        const at = from.get(partition) ?? 0;
        if (at < target) behind.set(partition, { target, at });
      }
      if (behind.size === 0) return Promise.resolve();
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const timer = setTimeout(() => {
        const parts = [...behind].map(([partition, { target, at }]) => {
          const error = why(partition);
          return `partition ${partition} is archived up to offset ${at} of ${target}` +
            (error ? ` (${error})` : "");
        });
        request.reject(
          new Error(
            `Cannot flush the archive within ${timeoutMs / 1000} s: ${parts.join("; ")}`,
          ),
        );
      }, timeoutMs);
      const request: _Request = {
        behind,
        resolve() {
          clearTimeout(timer);
          requests.delete(request);
          resolve();
        },
        reject(error) {
          clearTimeout(timer);
          requests.delete(request);
          reject(error);
        },
      };
      requests.add(request);
      return promise;
    },
    failAll(error) {
      for (const request of [...requests]) request.reject(error);
    },
  };
}
