/**
 * `deno task dlq`: lists, shows and replays the dead-letter topic through the
 * configured bus (Kafka, or the embedded log when no other process holds it).
 *
 *   deno task dlq list --since 1h
 *   deno task dlq show 0@41
 *   deno task dlq replay --reason invalid --dry-run
 *
 * @module
 */

import { runDlq } from "../lib/dlq/dlq_cli.ts";

await runDlq();
