/**
 * `deno task bench:soak`: the real-time store on the local PostgreSQL as it
 * fills from empty to a week of state. Each day of state (event ids, random
 * and time-ordered, and minute aggregates for `--posters` posters with their
 * hourly and daily roll-ups) is generated with SQL, which is far faster than
 * replaying events; after each day the stream's transactions are measured
 * (`apply`, `--workers` partitions at once, batches of `--batch` events,
 * random then UUIDv7 event ids). Then a retention pass runs while the stream
 * writes, and the read routes are timed at 1h, 24h and 30d windows.
 *
 *   deno task services up postgres && deno task bench:soak [--ids 50000000] [--events 100000]
 *
 * @module
 */

import { parseArgs } from "node:util";
import postgres from "postgres";
import { realtimeRoutes } from "../../edge/realtime_routes.ts";
import { createPinGenerator } from "../../lib/emulate/pin_generator.ts";
import { createUuidV7 } from "../../lib/ingest/uuid_v7.ts";
import { type CleanPin, cleanPin } from "../../lib/pin/clean_pin.ts";
import { createPostgresClient } from "../../lib/realtime/postgres_client.ts";
import { chooseGrain, DEFAULT_AGGREGATE_RETENTION } from "../../lib/realtime/grain.ts";
import { addDays, dayOf, partitionName } from "../../lib/realtime/seen_events.ts";
import { createSqlRealtimeStore } from "../../lib/realtime/sql_store.ts";
import { formatTable } from "../../lib/runtime/table.ts";
import { serviceEndpoints } from "../services/endpoints.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    ids: { type: "string", default: "50000000" },
    days: { type: "string", default: "7" },
    events: { type: "string", default: "100000" },
    workers: { type: "string", default: "6" },
    batch: { type: "string", default: "5000" },
    posters: { type: "string", default: "10000" },
    "posters-per-minute": { type: "string", default: "500" },
    requests: { type: "string", default: "100" },
    keep: { type: "boolean", default: false },
  },
});
const ids = Number(values.ids);
const days = Number(values.days);
const events = Number(values.events);
const workers = Number(values.workers);
const batchSize = Number(values.batch);
const posters = Number(values.posters);
const perMinute = Math.min(posters, Number(values["posters-per-minute"]));
const requests = Number(values.requests);
const idsPerDay = Math.ceil(ids / days);

const suffix = crypto.randomUUID().slice(0, 8);
const database = `bench_soak_${suffix}`;
const admin = postgres(serviceEndpoints().databaseUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${database}`);
const url = new URL(serviceEndpoints().databaseUrl);
url.pathname = `/${database}`;
const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
await sql.unsafe("SET maintenance_work_mem = '512MB'");
const store = createSqlRealtimeStore(
  await createPostgresClient(url.toString(), workers + 2),
  "postgres",
  database,
);
await store.migrate();
const today = dayOf(new Date());

/** The nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** `count` pins of this minute from `posters` posters, ids random or time-ordered. */
function pins(count: number, ordered: boolean, seed: number): CleanPin[] {
  const now = Date.now();
  const next = createPinGenerator({
    seed,
    posters,
    span: { from: new Date(now - 60_000), to: new Date(now) },
  });
  const v7 = createUuidV7();
  const received = new Date(now).toISOString();
  return Array.from({ length: count }, () => {
    const event = next();
    const id = ordered ? v7() : crypto.randomUUID();
    const poster = `Poster ${Math.floor(Math.random() * posters)}`;
    return cleanPin({ ...event, poster_name: poster, event_id: id, received_at: received });
  });
}

let nextPartition = 0;

/**
 * Applies batches as the stream does, `workers` partitions at once, until `next` has none;
 * returns each transaction's ms and start.
 */
async function stream(
  next: () => CleanPin[] | undefined,
): Promise<{ seconds: number; txMs: number[]; at: number[] }> {
  const txMs: number[] = [];
  const at: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => {
    const partition = nextPartition++;
    let offset = 0;
    for (let batch = next(); batch; batch = next()) {
      const t0 = performance.now();
      await store.apply({
        group: "soak",
        topic: "pins",
        partition,
        pins: batch.map((pin, i) => ({ offset: offset + i, pin })),
        nextOffset: offset + batch.length,
      });
      offset += batch.length;
      txMs.push(performance.now() - t0);
      at.push(t0);
    }
  }));
  return { seconds: (performance.now() - started) / 1000, txMs, at };
}

/** The batches of `all`, in turn. */
function batchesOf(all: CleanPin[]): () => CleanPin[] | undefined {
  let i = 0;
  return () => (i < all.length ? all.slice(i, i += batchSize) : undefined);
}

const V7 = `substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-8' ||
  substr(r, 4, 3) || '-' || substr(r, 7, 12)`;

/** One day of event ids (half random, half UUIDv7), bulk-loaded then attached. */
async function loadIds(day: string): Promise<void> {
  const name = partitionName(day);
  await sql.unsafe(`CREATE TABLE ${name} (LIKE seen_events INCLUDING DEFAULTS)`);
  await sql.unsafe(`
    INSERT INTO ${name} (event_id, seen_at, counted_at, seen_day)
    SELECT CASE WHEN g % 2 = 0 THEN gen_random_uuid()::text ELSE ${V7} END, ts,
      ts + interval '40 ms', '${day}'::date
    FROM (SELECT g, ts, md5(g::text || '${day}') AS r,
            lpad(to_hex((extract(epoch FROM ts) * 1000)::bigint), 12, '0') AS h
          FROM (SELECT g, '${day}'::timestamptz + g * interval '1 second' * (86400.0 / ${idsPerDay})
                  AS ts FROM generate_series(0, ${idsPerDay - 1}) AS g) AS t) AS s`);
  // The partition's range as a constraint first, so attaching need not scan it again.
  await sql.unsafe(`ALTER TABLE ${name} ADD CONSTRAINT ${name}_day
    CHECK (seen_day >= '${day}' AND seen_day < '${addDays(day, 1)}')`);
  await sql.unsafe(`ALTER TABLE seen_events ATTACH PARTITION ${name}
    FOR VALUES FROM ('${day}') TO ('${addDays(day, 1)}')`);
  await sql.unsafe(`ALTER TABLE ${name} DROP CONSTRAINT ${name}_day`);
  // As autovacuum would leave it before long: visibility map set, statistics taken.
  await sql.unsafe(`VACUUM (ANALYZE) ${name}`);
}

/** One day of minute aggregates for `perMinute` posters a minute, and its roll-ups. */
async function loadAggregates(day: string): Promise<void> {
  const each = Math.max(1, Math.round(idsPerDay / 1440 / perMinute));
  await sql.unsafe(`
    INSERT INTO profile_minute (minute, poster_name, events, follower_count, follower_time)
    SELECT m, 'Poster ' || ((extract(epoch FROM m)::bigint / 60 * ${perMinute} + i) % ${posters}),
      ${each}, 1000 + i, m
    FROM generate_series('${day}'::timestamptz, '${day}'::timestamptz + interval '1439 minutes',
      interval '1 minute') AS m, generate_series(0, ${perMinute - 1}) AS i`);
  await sql.unsafe(`
    INSERT INTO category_minute (minute, category, events, images, videos)
    SELECT m, 'category ' || c, ${each * perMinute} / 13, ${each * perMinute} / 26,
      ${each * perMinute} / 26
    FROM generate_series('${day}'::timestamptz, '${day}'::timestamptz + interval '1439 minutes',
      interval '1 minute') AS m, generate_series(1, 13) AS c`);
  await sql.unsafe(`
    INSERT INTO total_minute (minute, events, images, videos)
    SELECT minute, sum(events), sum(images), sum(videos) FROM category_minute
    WHERE minute >= '${day}' AND minute < '${addDays(day, 1)}' GROUP BY minute`);
  for (const grain of ["hour", "day"]) {
    const bucket = `date_trunc('${grain}', minute, 'UTC')`;
    const where = `WHERE minute >= '${day}' AND minute < '${addDays(day, 1)}'`;
    await sql.unsafe(`
      INSERT INTO profile_${grain} SELECT ${bucket}, poster_name, sum(events),
        max(follower_count), max(follower_time) FROM profile_minute ${where} GROUP BY 1, 2`);
    await sql.unsafe(`INSERT INTO category_${grain} SELECT ${bucket}, category, sum(events),
      sum(images), sum(videos) FROM category_minute ${where} GROUP BY 1, 2`);
    await sql.unsafe(`INSERT INTO total_${grain} SELECT ${bucket}, sum(events), sum(images),
      sum(videos) FROM total_minute ${where} GROUP BY 1`);
  }
  // What the minute retention leaves: minutes older than its window are gone, the roll-ups stay.
  const cutoff = new Date(Math.floor((Date.now() - 48 * 3_600_000) / 60_000) * 60_000);
  for (const kind of ["profile", "category", "total"]) {
    await sql.unsafe(`DELETE FROM ${kind}_minute WHERE minute < '${cutoff.toISOString()}'`);
  }
  await sql.unsafe(
    `VACUUM (ANALYZE) ${
      ["profile", "category", "total"].flatMap((kind) =>
        ["minute", "hour", "day"].map((grain) => `${kind}_${grain}`)
      ).join(", ")
    }`,
  );
}

async function disk(): Promise<{ seen: number; aggregates: number }> {
  const [row] = await sql.unsafe<[{ seen: number; aggregates: number }]>(`
    SELECT (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('seen_events')
            WHERE isleaf)::float8 AS seen,
      (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c
       WHERE c.relkind = 'r' AND c.relname ~ '^(profile|category|total)_(minute|hour|day)$')::float8
        AS aggregates`);
  return { seen: Number(row.seen), aggregates: Number(row.aggregates) };
}

const MIB = 1024 * 1024;
const windowMs: Record<string, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "30d": 2_592_000_000,
};
const streamRows: Array<Array<string | number>> = [];
const diskRows: Array<Array<string | number>> = [];
let stored = 0;
let seed = 1;
const rates: Record<string, number[]> = { random: [], uuidv7: [] };

async function step(label: string): Promise<void> {
  const size = await disk();
  diskRows.push([
    label,
    stored,
    Number((size.seen / MIB).toFixed(0)),
    stored > 0 ? Number((size.seen / MIB / (stored / 1e6)).toFixed(1)) : "-",
    Number((size.aggregates / MIB).toFixed(0)),
  ]);
  for (const ordered of [false, true]) {
    const kind = ordered ? "uuidv7" : "random";
    const runs: Array<{ rate: number; txMs: number[] }> = [];
    for (let run = 0; run < 3; run++) {
      const result = await stream(batchesOf(pins(events, ordered, seed++)));
      stored += events;
      runs.push({ rate: Math.round(events / result.seconds), txMs: result.txMs });
    }
    runs.sort((a, b) => a.rate - b.rate);
    const median = runs[1]!;
    const sorted = [...median.txMs].sort((a, b) => a - b);
    rates[kind]!.push(median.rate);
    streamRows.push([
      label,
      kind,
      runs.map((run) => run.rate).join(" / "),
      median.rate,
      Number(quantile(sorted, 0.5).toFixed(0)),
      Number(quantile(sorted, 0.99).toFixed(0)),
      `${(median.rate / rates[kind]![0]!).toFixed(2)} of empty`,
    ]);
    console.error(`${label} ${kind}: ${median.rate} events/s`);
  }
}

console.error(`Database ${database}: ${ids} ids over ${days} days, ${posters} posters`);
// A first run warms the connections and the code paths; it is not reported.
await stream(batchesOf(pins(Math.ceil(events / 5), false, seed++)));
stored += Math.ceil(events / 5);
await step("empty");
const loadStarted = performance.now();
// One day more than the dedupe window: the oldest is what the retention pass drops.
for (let back = days + 1; back >= 1; back--) {
  const day = addDays(today, -back);
  const t0 = performance.now();
  await loadIds(day);
  await loadAggregates(day);
  stored += idsPerDay;
  console.error(`Loaded ${day} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (back === 1 || back === days || back === Math.ceil(days / 2)) {
    await step(`${days + 1 - back} of ${days} days`);
  }
}
const loadSeconds = (performance.now() - loadStarted) / 1000;

console.error("Retention pass while the stream writes");
// The stream runs on from 10 s before the pass to 10 s after it, on pooled pins given new ids;
// meanwhile the server's wait states of this database's backends are sampled every 50 ms.
const pool = pins(batchSize * 4, false, seed++);
let passStart = 0;
let passEnd = 0;
let streamed = 0;
const watcher = postgres(url.toString(), { max: 1, onnotice: () => {} });
const waits: Array<{ at: number; relation: number; row: number }> = [];
const sampling = (async () => {
  while (passEnd === 0 || performance.now() < passEnd + 10_000) {
    const [row] = await watcher.unsafe<[{ relation: number; row: number }]>(
      `SELECT count(*) FILTER (WHERE wait_event IN ('relation', 'advisory'))::int AS relation,
         count(*) FILTER (WHERE wait_event IN ('transactionid', 'tuple'))::int AS row
       FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND wait_event_type = 'Lock' AND query ~* '^\\s*(INSERT|UPDATE|SELECT next_offset)'`,
    );
    waits.push({ at: performance.now(), relation: row.relation, row: row.row });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
})();
const during = await Promise.all([
  stream(() => {
    if (passEnd > 0 && performance.now() > passEnd + 10_000) return undefined;
    const start = (streamed / batchSize % 4) * batchSize;
    streamed += batchSize;
    return pool.slice(start, start + batchSize).map((pin) => ({
      ...pin,
      event_id: crypto.randomUUID(),
    }));
  }),
  (async () => {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    passStart = performance.now();
    const report = await store.retain(new Date());
    passEnd = performance.now();
    return report;
  })(),
]);
await sampling;
await watcher.end();
const inPassWaits = waits.filter((w) => w.at >= passStart && w.at <= passEnd);
const outWaits = waits.filter((w) => w.at < passStart || w.at > passEnd);
const waitCell = (list: typeof waits) =>
  `${list.filter((w) => w.relation > 0).length} / ${
    list.filter((w) => w.row > 0).length
  } of ${list.length}`;
stored += streamed;
const txs = during[0].txMs.map((ms, i) => ({ ms, start: during[0].at[i]! }));
const inPass = txs.filter((tx) => tx.start + tx.ms >= passStart && tx.start <= passEnd)
  .map((tx) => tx.ms).sort((a, b) => a - b);
const quietSorted = txs.filter((tx) => tx.start + tx.ms < passStart || tx.start > passEnd)
  .map((tx) => tx.ms).sort((a, b) => a - b);
const report = during[1];
const afterPass = await disk();

console.error("Read routes");
const app = realtimeRoutes(store);
const uncached = createSqlRealtimeStore(
  await createPostgresClient(url.toString(), 1),
  "postgres",
  database,
  { sharedReadTtlMs: { minute: 0, hour: 0, day: 0 } },
);
const readRows: Array<Array<string | number>> = [];
for (const route of ["profiles/top", "categories", "summary"]) {
  for (const window of ["1h", "24h", "30d"]) {
    const times: number[] = [];
    const direct: number[] = [];
    const grain = chooseGrain(
      new Date(Date.now() - windowMs[window]!),
      new Date(),
      DEFAULT_AGGREGATE_RETENTION,
    );
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      const response = await app.request(`/${route}?window=${window}`);
      const body = await response.json();
      times.push(performance.now() - t0);
      if (response.status !== 200) throw new Error(`${route} ${window}: ${response.status}`);
      if (route === "summary" && body.grain !== grain && i > 0) throw new Error("grain moved");
      const t1 = performance.now();
      const span = { since: new Date(Date.now() - windowMs[window]!), until: new Date() };
      if (route === "profiles/top") await uncached.topProfiles(span, 10);
      else if (route === "categories") await uncached.categories(span);
      else await uncached.summary(span);
      direct.push(performance.now() - t1);
    }
    times.sort((a, b) => a - b);
    direct.sort((a, b) => a - b);
    readRows.push([
      `/realtime/${route}?window=${window}`,
      grain,
      Number(quantile(times, 0.5).toFixed(1)),
      Number(quantile(times, 0.99).toFixed(1)),
      Number(quantile(direct, 0.5).toFixed(1)),
      Number(quantile(direct, 0.99).toFixed(1)),
    ]);
  }
}
await uncached.close();

await store.close();
await sql.end();
if (!values.keep) {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error) =>
    console.error(`Could not drop ${database}: ${(error as Error).message}`)
  );
}
await admin.end();

console.log(
  `\nSoak benchmark: PostgreSQL on this machine; ${ids} ids generated over ${days} days ` +
    `(+1 expired day), half random, half UUIDv7; ${posters} posters, ${perMinute} a minute; ` +
    `state generated in ${loadSeconds.toFixed(0)} s\n`,
);
console.log(
  formatTable(
    ["store", "event ids", "events/s of 3 runs", "median", "p50 tx ms", "p99 tx ms", "ratio"],
    streamRows,
  ),
);
console.log(
  `\n(${workers} partitions at once, ${batchSize} events a transaction, ${events} events a run; ` +
    "tx ms of the median run)\n",
);
console.log(
  formatTable(
    ["store", "ids stored", "ids MiB", "MiB per million ids", "aggregates MiB"],
    diskRows,
  ),
);
console.log(
  `\n${
    formatTable([
      "stream transactions",
      "count",
      "p50 ms",
      "p99 ms",
      "max ms",
      "samples waiting on a table lock / a row lock",
    ], [
      [
        "outside the pass (10 s before, 10 s after)",
        quietSorted.length,
        Number(quantile(quietSorted, 0.5).toFixed(0)),
        Number(quantile(quietSorted, 0.99).toFixed(0)),
        Number(quietSorted.at(-1)!.toFixed(0)),
        waitCell(outWaits),
      ],
      [
        `during the pass (${((passEnd - passStart) / 1000).toFixed(1)} s)`,
        inPass.length,
        Number(quantile(inPass, 0.5).toFixed(0)),
        Number(quantile(inPass, 0.99).toFixed(0)),
        Number((inPass.at(-1) ?? NaN).toFixed(0)),
        waitCell(inPassWaits),
      ],
    ])
  }`,
);
console.log(
  `\nThe pass dropped ${report.dropped.join(", ") || "no day"}, created ` +
    `${report.created.join(", ") || "no day"}, deleted ${report.aggregateRows} aggregate rows; ` +
    `after it: ids ${(afterPass.seen / MIB).toFixed(0)} MiB, aggregates ` +
    `${(afterPass.aggregates / MIB).toFixed(0)} MiB\n`,
);
console.log(
  formatTable([
    "read route",
    "grain",
    "p50 ms",
    "p99 ms",
    "unshared query p50 ms",
    "unshared query p99 ms",
  ], readRows),
);
