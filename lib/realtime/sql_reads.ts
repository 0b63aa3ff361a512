/**
 * The real-time store's reads in SQL (PostgreSQL and PGlite): each view at
 * the grain its window allows, reads of the roll-ups shared for a few
 * seconds by identical reads.
 *
 * @module
 */

import { aggregateTable } from "./aggregate_sql.ts";
import {
  type AggregateRetention,
  chooseGrain,
  floorTo,
  type Grain,
  grainSpec,
  seriesGrain,
} from "./grain.ts";
import type {
  CategoryRow,
  ProfileRow,
  RealtimeStore,
  SummaryView,
  Window,
} from "./realtime_store.ts";
import { createSharedReads } from "./shared_reads.ts";
import type { SqlRunner } from "./sql_client.ts";

/** A time column as the views return it: ISO-8601 in UTC, whatever the session's zone. */
function _isoOf(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`;
}

/** A window's grain and bounds: `[since rounded down, end of the bucket holding until)`. */
function _span(window: Window, retention: AggregateRetention): [Grain, string, string] {
  const grain = window.grain ?? chooseGrain(window.since, window.until, retention);
  const { ms } = grainSpec(grain);
  const since = floorTo(window.since.getTime(), ms);
  const until = floorTo(window.until.getTime(), ms) + ms;
  return [grain, new Date(since).toISOString(), new Date(until).toISOString()];
}

/** Most buckets whose rows are probed one by one for a top profile's follower count. */
const MAX_PROBED_BUCKETS = 1000;

/** The most steps a series may have. */
const MAX_STEPS = 10_000;

/** The views of the store. */
export type SqlReads = Pick<
  RealtimeStore,
  "topProfiles" | "categories" | "summary" | "series" | "freshness"
>;

/**
 * Builds the reads.
 *
 * @param client The database.
 * @param options Each grain's retention, how long each grain's reads are shared, the clock.
 * @returns The views.
 */
export function createSqlReads(
  client: SqlRunner,
  options: {
    aggregateRetention: AggregateRetention;
    sharedReadTtlMs: Readonly<Record<Grain, number>>;
    now: () => Date;
  },
): SqlReads {
  const { aggregateRetention, sharedReadTtlMs } = options;
  const shared = createSharedReads(() => options.now().getTime());

  function topProfiles(window: Window, limit: number): Promise<ProfileRow[]> {
    const [grain, since, until] = _span(window, aggregateRetention);
    return shared(
      `top ${grain} ${since} ${until} ${limit}`,
      sharedReadTtlMs[grain],
      () => _topProfiles(grain, since, until, limit),
    );
  }

  async function _topProfiles(
    grain: Grain,
    since: string,
    until: string,
    limit: number,
  ): Promise<ProfileRow[]> {
    const table = aggregateTable("profile", grain);
    const { ms } = grainSpec(grain);
    const count = (Date.parse(until) - Date.parse(since)) / ms;
    const buckets = count > MAX_PROBED_BUCKETS ? null : Array.from(
      { length: count },
      (_, i) => new Date(Date.parse(since) + i * ms).toISOString(),
    );
    // Events are summed for every poster, but the latest follower count is looked up for the
    // top ones only, one index probe per bucket (a range scan past that many buckets): an
    // ordered aggregate over all rows would sort the whole window.
    const inWindow = buckets
      ? `p.${grain} = ANY($4::text[]::timestamptz[])`
      : `p.${grain} >= $1 AND p.${grain} < $2`;
    const rows = await client.query<ProfileRow>(
      `WITH top AS (
         SELECT poster_name, sum(events) AS events FROM ${table}
         WHERE ${grain} >= $1 AND ${grain} < $2
         GROUP BY poster_name ORDER BY events DESC, poster_name LIMIT $3)
       SELECT top.poster_name, top.events::float8 AS events,
         latest.follower_count::float8 AS follower_count
       FROM top LEFT JOIN LATERAL (
         SELECT follower_count FROM ${table} AS p
         WHERE ${inWindow} AND p.poster_name = top.poster_name
         ORDER BY follower_time DESC NULLS LAST, follower_count DESC NULLS LAST LIMIT 1
       ) AS latest ON true
       ORDER BY top.events DESC, top.poster_name`,
      buckets ? [since, until, limit, buckets] : [since, until, limit],
    );
    return rows.map((row) => ({
      ...row,
      events: Number(row.events),
      follower_count: row.follower_count === null ? null : Number(row.follower_count),
    }));
  }

  function categories(window: Window): Promise<CategoryRow[]> {
    const [grain, since, until] = _span(window, aggregateRetention);
    return shared(
      `categories ${grain} ${since} ${until}`,
      sharedReadTtlMs[grain],
      () =>
        client.query<CategoryRow>(
          `SELECT category, sum(events)::float8 AS events, sum(images)::float8 AS images,
         sum(videos)::float8 AS videos
       FROM ${aggregateTable("category", grain)} WHERE ${grain} >= $1 AND ${grain} < $2
       GROUP BY category ORDER BY events DESC, category`,
          [since, until],
        ),
    );
  }

  function summary(window: Window): Promise<SummaryView> {
    const [grain, since, until] = _span(window, aggregateRetention);
    return shared(
      `summary ${grain} ${since} ${until}`,
      sharedReadTtlMs[grain],
      () => _summary(grain, since, until),
    );
  }

  async function _summary(grain: Grain, since: string, until: string): Promise<SummaryView> {
    const minutes = await client.query<SummaryView["minutes"][number]>(
      `SELECT ${_isoOf(grain)} AS minute, events, images, videos
       FROM ${aggregateTable("total", grain)}
       WHERE ${grain} >= $1 AND ${grain} < $2 ORDER BY ${grain}`,
      [since, until],
    );
    const sum = (key: "events" | "images" | "videos") =>
      minutes.reduce((total, row) => total + Number(row[key]), 0);
    return { grain, events: sum("events"), images: sum("images"), videos: sum("videos"), minutes };
  }

  async function series(window: Window, stepMinutes: number): ReturnType<RealtimeStore["series"]> {
    const grain = window.grain ??
      seriesGrain(window.since, window.until, stepMinutes, aggregateRetention);
    const [, since, until] = _span({ ...window, grain }, aggregateRetention);
    const stepMs = stepMinutes * 60_000;
    const start = Math.floor(Date.parse(since) / stepMs) * stepMs;
    const steps = Math.max(0, Math.ceil((Date.parse(until) - start) / stepMs));
    if (!Number.isInteger(stepMinutes) || stepMinutes < 1 || steps > MAX_STEPS) {
      throw new RangeError(
        `Cannot read a series in steps of ${stepMinutes} minutes: expected a positive integer ` +
          `giving at most ${MAX_STEPS} steps over the window, not ${steps}`,
      );
    }
    const rows = await client.query<{ step: number; events: number }>(
      `SELECT floor((extract(epoch FROM ${grain})::float8 - $3::float8) / $4::float8)::int AS step,
         sum(events)::float8 AS events
       FROM ${aggregateTable("total", grain)} WHERE ${grain} >= $1 AND ${grain} < $2 GROUP BY 1`,
      [since, until, start / 1000, stepMs / 1000],
    );
    const events = new Array<number>(steps).fill(0);
    for (const row of rows) events[Number(row.step)] = Number(row.events);
    return { start: new Date(start).toISOString(), stepMinutes, events };
  }

  async function freshness(latest: number): ReturnType<RealtimeStore["freshness"]> {
    const [row] = await client.query<
      { observations: number; p50: number; p95: number; counted_at: string | Date | null }
    >(
      `SELECT count(*)::int AS observations,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds)::float8 AS p50,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds)::float8 AS p95,
         max(counted_at) AS counted_at
       FROM (SELECT counted_at, greatest(0, extract(epoch FROM counted_at - seen_at))::float8 AS seconds
             FROM seen_events WHERE counted_at IS NOT NULL
             ORDER BY counted_at DESC LIMIT $1) AS recent`,
      [latest],
    );
    if (!row || Number(row.observations) === 0 || row.counted_at === null) return null;
    return {
      p50Seconds: Number(row.p50),
      p95Seconds: Number(row.p95),
      observations: Number(row.observations),
      countedAt: new Date(row.counted_at),
    };
  }

  return { topProfiles, categories, summary, series, freshness };
}
