/**
 * One bound on waiting, shared by many concurrent promises on one timer:
 * where `deadline` (async.ts) arms and clears a timer per promise, a group
 * keeps its promises in arrival order and checks the oldest on a tick, so a
 * promise costs a set insertion instead of a timer. A promise is given up at
 * most one tick after its bound.
 *
 * @module
 */

/** Bounds concurrent promises by the same time. */
export interface DeadlineGroup {
  /**
   * Settles as `work` does, unless the group's bound passes first: then as
   * `onTimeout()` does. `work` itself is not cancelled.
   */
  within<T>(work: Promise<T>, onTimeout: () => never): Promise<T>;
  /** Promises being waited for. */
  pending(): number;
}

interface _Entry {
  expires: number;
  fire(): void;
}

/**
 * Creates a group.
 *
 * @param ms The bound, in milliseconds.
 * @param tickMs How often the oldest are checked (default: a twentieth of the bound, 1 to 50 ms).
 * @param now The clock, in milliseconds.
 * @returns The group; its timer runs only while something is pending.
 * @example
 * ```ts
 * const produce = createDeadlineGroup(5000);
 * await produce.within(bus.produce(topic, records), () => {
 *   throw new Error("The bus did not acknowledge within 5000 ms");
 * });
 * ```
 */
export function createDeadlineGroup(
  ms: number,
  tickMs: number = Math.max(1, Math.min(50, ms / 20)),
  now: () => number = Date.now,
): DeadlineGroup {
  // Insertion order is expiry order: every entry has the same bound.
  const entries = new Set<_Entry>();
  let timer: ReturnType<typeof setInterval> | undefined;

  function tick(): void {
    const at = now();
    for (const entry of entries) {
      if (entry.expires > at) break;
      entries.delete(entry);
      entry.fire();
    }
    if (entries.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  function within<T>(work: Promise<T>, onTimeout: () => never): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: _Entry = {
        expires: now() + ms,
        fire() {
          try {
            onTimeout();
          } catch (error) {
            reject(error);
          }
        },
      };
      entries.add(entry);
      timer ??= setInterval(tick, tickMs);
      work.then((value) => {
        entries.delete(entry);
        resolve(value);
      }, (error) => {
        entries.delete(entry);
        reject(error);
      });
    });
  }

  return { within, pending: () => entries.size };
}
