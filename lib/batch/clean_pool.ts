/**
 * A pool of cleaning workers (`clean_worker.ts`), so that the batch cleans a
 * day's raw objects on every core with the stream's own TypeScript rules.
 * Create one per run; `close()` ends the workers.
 *
 * @module
 */

import type { NulledCounts } from "../pin/clean_outcomes.ts";
import { addCleaned, type LineCounts } from "./clean_lines.ts";

/** One object to clean: a local gzip NDJSON file in, an NDJSON file of cleaned pins out. */
export interface CleanJob {
  id: number;
  input: string;
  output: string;
}

/** A worker's answer to a {@linkcode CleanJob}. */
export type CleanReply =
  | { id: number; counts: LineCounts; nulled: NulledCounts }
  | { id: number; error: string };

/** What cleaning a day's files gives: the totals over every file. */
export interface CleanedFiles {
  counts: LineCounts;
  nulled: NulledCounts;
}

/** The pool. */
export interface CleanPool {
  /** Workers in the pool. */
  readonly size: number;
  /**
   * Cleans each `inputs[i]` into `outputs[i]`.
   *
   * @throws {Error} When a file cannot be read or written, naming it.
   */
  clean(inputs: readonly string[], outputs: readonly string[]): Promise<CleanedFiles>;
  /** Ends the workers. */
  close(): void;
}

/**
 * Starts the workers.
 *
 * @param size How many workers (at least 1).
 * @returns The pool.
 */
export function createCleanPool(size: number): CleanPool {
  const workers = Array.from(
    { length: Math.max(1, Math.floor(size)) },
    () => new Worker(new URL("./clean_worker.ts", import.meta.url).href, { type: "module" }),
  );
  let nextId = 0;

  function run(worker: Worker, job: CleanJob): Promise<CleanReply> {
    return new Promise((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<CleanReply>) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`Cleaning worker failed on ${job.input}: ${event.message}`));
      };
      worker.postMessage(job);
    });
  }

  return {
    size: workers.length,
    async clean(inputs, outputs) {
      const total: CleanedFiles = {
        counts: { rowsIn: 0, badJson: 0, invalid: 0, valid: 0 },
        nulled: {},
      };
      let next = 0;
      const errors: string[] = [];
      await Promise.all(workers.map(async (worker) => {
        while (next < inputs.length && errors.length === 0) {
          const i = next++;
          const reply = await run(worker, { id: nextId++, input: inputs[i]!, output: outputs[i]! });
          if ("error" in reply) errors.push(reply.error);
          else addCleaned(total, reply);
        }
      }));
      if (errors.length > 0) throw new Error(errors[0]);
      return total;
    },
    close() {
      for (const worker of workers) worker.terminate();
    },
  };
}
