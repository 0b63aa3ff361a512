/**
 * `deno task bench:rollups`: what writing the hourly and daily roll-ups in
 * the stream's transaction costs. The store's transactions (`--workers`
 * partitions at once, batches of 5,000 events of 10,000 posters, each
 * poster's events on one partition picked by a hash of the name, as the edge
 * keys records by poster) run on a fresh PostgreSQL database each time, as they are, with the hourly upserts
 * left out, and with both roll-ups left out (a client that skips those
 * statements); medians of `--rounds`.
 *
 *   deno task services up postgres && deno task bench:rollups [--events 150000] [--rounds 3]
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { type CleanPin, cleanPin } from "../../lib/pin/clean_pin.ts";
import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import type { SqlClient, SqlRunner } from "../../lib/realtime/sql_client.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { formatTable } from "../../lib/runtime/table.ts";
import { serviceEndpoints } from "../services/endpoints.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "150000" },
    rounds: { type: "string", default: "3" },
    workers: { type: "string", default: "6" },
  },
});
const events = Number(values.events);
const rounds = Number(values.rounds);
const workers = Number(values.workers);

const MODES: Array<[string, RegExp | null]> = [
  ["minutes, hours and days (as shipped)", null],
  ["minutes and days", /INSERT INTO (profile|category|total)_hour/],
  ["minutes only", /INSERT INTO (profile|category|total)_(hour|day)/],
];

function _skipping(client: SqlClient, skip: RegExp | null): SqlClient {
  if (!skip) return client;
  const wrap = (runner: SqlRunner): SqlRunner => ({
    query: (text, params) => (skip.test(text) ? Promise.resolve([]) : runner.query(text, params)),
  });
  return {
    ...wrap(client),
    transaction: (work) => client.transaction((tx) => work(wrap(tx))),
    close: () => client.close(),
  };
}

function _pins(count: number, seed: number): CleanPin[] {
  const now = Date.now();
  const next = createPinGenerator({
    seed,
    span: { from: new Date(now - 60_000), to: new Date(now) },
  });
  const received = new Date(now).toISOString();
  return Array.from({ length: count }, () => {
    const poster = `Poster ${Math.floor(Math.random() * 10_000)}`;
    return cleanPin({
      ...next(),
      poster_name: poster,
      event_id: crypto.randomUUID(),
      received_at: received,
    });
  });
}

/** FNV-1a of a name: which partition a poster's events go to. */
function _hash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const admin = postgres(serviceEndpoints().databaseUrl, { max: 1, onnotice: () => {} });
const rates = new Map<string, number[]>(MODES.map(([name]) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, skip] of MODES) {
    const database = `bench_rollups_${crypto.randomUUID().slice(0, 8)}`;
    await admin.unsafe(`CREATE DATABASE ${database}`);
    const url = new URL(serviceEndpoints().databaseUrl);
    url.pathname = `/${database}`;
    const client = await createPostgresClient(url.toString(), workers + 2);
    const store = createSqlRealtimeStore(_skipping(client, skip), "postgres", database);
    await store.migrate();
    const all = _pins(events, round * 10 + rates.get(name)!.length + name.length);
    const queues = Array.from({ length: workers }, () => [] as CleanPin[]);
    for (const pin of all) queues[_hash(pin.poster_name ?? "") % workers]!.push(pin);
    const started = performance.now();
    await Promise.all(queues.map(async (queue, partition) => {
      let offset = 0;
      for (let taken = 0; taken < queue.length; taken += 5000) {
        const batch = queue.slice(taken, taken + 5000);
        await store.apply({
          group: "bench",
          topic: "pins",
          partition,
          pins: batch.map((pin, i) => ({ offset: offset + i, pin })),
          nextOffset: offset + batch.length,
        });
        offset += batch.length;
      }
    }));
    rates.get(name)!.push(Math.round(events / ((performance.now() - started) / 1000)));
    console.error(`${name}: ${rates.get(name)!.at(-1)} events/s`);
    await store.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error) =>
      console.error(`Could not drop ${database}: ${(error as Error).message}`)
    );
  }
}
await admin.end();

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
const shipped = median(rates.get(MODES[0]![0])!);
console.log(
  `\nRoll-up cost: ${events} events a run, ${workers} partitions at once, PostgreSQL on this machine\n`,
);
console.log(formatTable(
  ["aggregates written in the transaction", "events/s of each round", "median", "ratio"],
  MODES.map(([name]) => {
    const list = rates.get(name)!;
    return [name, list.join(" / "), median(list), (median(list) / shipped).toFixed(2)];
  }),
));
