/**
 * `deno task emulate`: the seed's user posting emulation, grown up.
 *
 *   deno task emulate [--url http://localhost:8000] [--count 10000] [--batch 1]
 *                     [--rate 0] [--concurrency 16] [--seed 1] [--api-key KEY]
 *                     [--from YYYY-MM-DD --to YYYY-MM-DD]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { quantile, runEmulation } from "../lib/emulate/emulator.ts";
import { createPinGenerator } from "../lib/emulate/pin_generator.ts";
import { daySpan } from "../lib/emulate/day_span.ts";
import { formatTable } from "../lib/runtime/table.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string", default: Deno.env.get("EDGE_URL") ?? "http://localhost:8000" },
    count: { type: "string", default: "10000" },
    batch: { type: "string", default: "1" },
    rate: { type: "string", default: "0" },
    concurrency: { type: "string", default: "16" },
    seed: { type: "string", default: "1" },
    "api-key": { type: "string" },
    from: { type: "string" },
    to: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});

if (values.help) {
  console.log(`Usage: deno task emulate [options]
  --url URL          edge base URL (default http://localhost:8000, or EDGE_URL)
  --count N          events to send (default 10000)
  --batch N          events per request: 1 posts to /pin/, more to /pins (default 1)
  --rate N           target events/s, 0 = as fast as possible (default 0)
  --concurrency N    requests in flight (default 16)
  --seed N           generator seed: same seed, same events (default 1)
  --api-key KEY      sent as X-API-Key
  --from DAY         first day of event_time, YYYY-MM-DD (UTC); needs --to (default: now)
  --to DAY           last day, included; times follow a daily shape, busiest in the evening`);
  Deno.exit(0);
}

function positive(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`Invalid --${name}: expected an integer >= ${min}, got '${text}'`);
    Deno.exit(2);
  }
  return value;
}

let span;
try {
  span = daySpan(values.from, values.to);
} catch (error) {
  console.error((error as Error).message);
  Deno.exit(2);
}
const count = positive("count", values.count, 1);
const batchSize = positive("batch", values.batch, 1);
const abort = new AbortController();
Deno.addSignalListener("SIGINT", () => abort.abort());

const stats = await runEmulation({
  url: values.url.replace(/\/$/, ""),
  next: createPinGenerator({ seed: positive("seed", values.seed, 0), span }),
  count,
  batchSize,
  rate: positive("rate", values.rate, 0),
  concurrency: positive("concurrency", values.concurrency, 1),
  apiKey: values["api-key"],
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
Deno.exit(stats.errors > 0 ? 1 : 0);
