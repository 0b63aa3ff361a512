/**
 * Graceful shutdown on SIGTERM and SIGINT. Created first thing in a process,
 * so a signal that arrives while it is still starting is handled too: the
 * steps registered so far run in reverse order of registration (last
 * started, first stopped), then the process exits 0. A second signal exits
 * at once, unless it comes within a second of the first: a task runner may
 * deliver one Ctrl-C twice (to the process group and by forwarding).
 *
 * @module
 */

import type { Logger } from "./logger.ts";

/** A process's shutdown sequence. */
export interface Shutdown {
  /** Registers a step; steps run in reverse order of registration. */
  add(step: () => Promise<void>): void;
}

/**
 * Installs the signal handlers.
 *
 * @param logger Where the shutdown is reported.
 * @returns The sequence to add steps to as components start.
 * @example
 * ```ts
 * const shutdown = createShutdown(logger);
 * const bus = await openBus(config.bus, config.dataDir, logger);
 * shutdown.add(() => bus.close());
 * ```
 */
export function createShutdown(logger: Logger): Shutdown {
  const steps: Array<() => Promise<void>> = [];
  let stoppingSince: number | null = null;
  async function stop(): Promise<void> {
    for (const step of [...steps].reverse()) await step();
  }
  const handler = (signal: Deno.Signal) => () => {
    if (stoppingSince !== null) {
      if (performance.now() - stoppingSince > 1000) Deno.exit(130);
      return;
    }
    stoppingSince = performance.now();
    logger.info("Shutting down", { signal });
    stop().then(
      () => Deno.exit(0),
      (error) => {
        logger.error("Shutdown failed", { error });
        Deno.exit(1);
      },
    );
  };
  Deno.addSignalListener("SIGTERM", handler("SIGTERM"));
  Deno.addSignalListener("SIGINT", handler("SIGINT"));
  return { add: (step) => void steps.push(step) };
}
