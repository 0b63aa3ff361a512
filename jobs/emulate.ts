/**
 * `deno task emulate`: the seed's user posting emulation, grown up.
 *
 *   deno task emulate [--url http://localhost:8000] [--count 10000] [--batch 1]
 *                     [--rate 0] [--concurrency 16] [--seed 1] [--api-key KEY]
 *
 * @module
 */

import { quantile, runEmulation } from "../lib/emulate/emulator.ts";
import { createPinGenerator } from "../lib/emulate/pin_generator.ts";
import { daySpan } from "../lib/emulate/day_span.ts";
import { runMain, UsageError } from "../lib/runtime/cli.ts";
import { formatTable } from "../lib/runtime/table.ts";

await runMain({
  name: "emulate",
  summary:
    "The seed's user posting emulation, grown up: posts generated seed-shaped pin events to\n" +
    "the edge and prints what was accepted, rejected and how fast.",
  flags: {
    url: {
      type: "string",
      value: "URL",
      default: "http://localhost:8000",
      env: "EDGE_URL",
      description: "Edge base URL",
    },
    count: { type: "integer", min: 1, default: 10000, description: "Events to send" },
    batch: {
      type: "integer",
      min: 1,
      default: 1,
      description: "Events per request: 1 posts to /pin/, more to /pins",
    },
    rate: {
      type: "integer",
      min: 0,
      default: 0,
      description: "Target events/s, 0 = as fast as possible",
    },
    concurrency: { type: "integer", min: 1, default: 16, description: "Requests in flight" },
    seed: {
      type: "integer",
      min: 0,
      default: 1,
      description: "Generator seed: same seed, same events",
    },
    "api-key": { type: "string", value: "KEY", description: "Sent as X-API-Key" },
    from: {
      type: "string",
      value: "DAY",
      description: "First day of event_time, YYYY-MM-DD (UTC); needs --to (default: now)",
    },
    to: {
      type: "string",
      value: "DAY",
      description: "Last day, included; times follow a daily shape, busiest in the evening",
    },
  },
  examples: [
    "deno task emulate --count 50000 --batch 500",
    "deno task emulate --url http://localhost:8080 --rate 1000 --api-key key-one",
    "deno task emulate --count 200000 --batch 1000 --from 2024-01-01 --to 2025-12-31",
  ],
  exits: {
    ok: "Every request was answered with a 2xx",
    failed: "A request got no answer or a non-2xx status (see the statuses column)",
  },
}, async ({ flags }) => {
  const count = flags.count;
  let span;
  try {
    span = daySpan(flags.from, flags.to);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const abort = new AbortController();
  Deno.addSignalListener("SIGINT", () => abort.abort());

  const stats = await runEmulation({
    url: flags.url.replace(/\/$/, ""),
    next: createPinGenerator({ seed: flags.seed, span }),
    count,
    batchSize: flags.batch,
    rate: flags.rate,
    concurrency: flags.concurrency,
    apiKey: flags["api-key"],
    signal: abort.signal,
    onProgress(s) {
      const rate = Math.round(s.sent / s.elapsedSeconds);
      const eta = rate > 0 ? Math.ceil((count - s.sent) / rate) : "?";
      const line = `sent ${s.sent}/${count}  ${rate} events/s  errors ${s.errors}  eta ${eta}s`;
      const text = Deno.stderr.isTerminal() ? `\r${line.padEnd(70)}` : `${line}\n`;
      Deno.stderr.writeSync(new TextEncoder().encode(text));
    },
  });

  const ms = (q: number) => Number(quantile(stats.latenciesMs, q).toFixed(1));
  console.error("");
  console.log(
    formatTable([
      "sent",
      "accepted",
      "rejected",
      "errors",
      "events/s",
      "p50 ms",
      "p99 ms",
      "statuses",
    ], [[
      stats.sent,
      stats.accepted,
      stats.rejected,
      stats.errors,
      Math.round(stats.sent / stats.elapsedSeconds),
      ms(0.5),
      ms(0.99),
      Object.entries(stats.statuses).map(([status, n]) => `${status}:${n}`).join(" "),
    ]]),
  );
  return stats.errors > 0 ? 1 : 0;
});
