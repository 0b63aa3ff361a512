/**
 * Graceful shutdown on SIGTERM and SIGINT: run the given steps once, then
 * exit; a second signal exits at once.
 *
 * @module
 */

import type { Logger } from "./logger.ts";

/**
 * Registers the shutdown steps.
 *
 * @param logger Where the shutdown is reported.
 * @param stop What to do before exiting (flush, commit, close).
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: Deno.Signal) => () => {
    if (stopping) Deno.exit(130);
    stopping = true;
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
}
